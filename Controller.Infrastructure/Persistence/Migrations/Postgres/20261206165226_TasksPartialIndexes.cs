using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Controller.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TasksPartialIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tasks_EngineId_IdempotencyKey",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_EngineId_State_Priority_CreatedAt_Id",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_FinishedAt",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_InstanceId_State",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_State_LeaseExpiresAt",
                table: "Tasks");

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_Claim",
                table: "Tasks",
                columns: new[] { "EngineId", "Priority", "CreatedAt", "Id" },
                descending: new[] { false, true, false, false },
                filter: "\"State\" = 'Queued'");

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_EngineId_IdempotencyKey",
                table: "Tasks",
                columns: new[] { "EngineId", "IdempotencyKey" },
                unique: true,
                filter: "\"IdempotencyKey\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_FinishedAt",
                table: "Tasks",
                column: "FinishedAt",
                filter: "\"FinishedAt\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_Held",
                table: "Tasks",
                columns: new[] { "InstanceId", "State" },
                filter: "\"State\" IN ('Leased', 'Cancelled')");

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_Leased_LeaseExpiresAt",
                table: "Tasks",
                columns: new[] { "State", "LeaseExpiresAt" },
                filter: "\"State\" = 'Leased'");

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
                name: "IX_Tasks_Claim",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_EngineId_IdempotencyKey",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_FinishedAt",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_Held",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_Leased_LeaseExpiresAt",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_Queued_EngineId_CreatedAt",
                table: "Tasks");

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_EngineId_IdempotencyKey",
                table: "Tasks",
                columns: new[] { "EngineId", "IdempotencyKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_EngineId_State_Priority_CreatedAt_Id",
                table: "Tasks",
                columns: new[] { "EngineId", "State", "Priority", "CreatedAt", "Id" },
                descending: new[] { false, false, true, false, false });

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_FinishedAt",
                table: "Tasks",
                column: "FinishedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_InstanceId_State",
                table: "Tasks",
                columns: new[] { "InstanceId", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_State_LeaseExpiresAt",
                table: "Tasks",
                columns: new[] { "State", "LeaseExpiresAt" });
        }
    }
}
