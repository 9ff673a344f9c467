using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Controller.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TasksQueuedIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Tasks_Queued_EngineId_CreatedAt",
                table: "Tasks",
                columns: new[] { "EngineId", "CreatedAt" },
                filter: "\"State\" = 'Queued'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tasks_Queued_EngineId_CreatedAt",
                table: "Tasks");
        }
    }
}
