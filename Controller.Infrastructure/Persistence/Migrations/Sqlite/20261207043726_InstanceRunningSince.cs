using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Controller.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InstanceRunningSince : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "RunningSince",
                table: "EngineInstances",
                type: "INTEGER",
                nullable: true);

            // Copies running at the upgrade count from their last state change (the best the rows know).
            migrationBuilder.Sql("UPDATE \"EngineInstances\" SET \"RunningSince\" = \"StateChangedAt\" WHERE \"State\" = 'Running'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "RunningSince",
                table: "EngineInstances");
        }
    }
}
