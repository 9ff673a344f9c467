using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Controller.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class WorkQueue : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ScaleDownAfterSeconds",
                table: "Engines",
                type: "INTEGER",
                nullable: false,
                defaultValue: 300);

            migrationBuilder.AddColumn<long>(
                name: "ScaleDownWantedSince",
                table: "Engines",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ScalingMode",
                table: "Engines",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "Manual");

            migrationBuilder.AddColumn<int>(
                name: "TargetTasksPerInstance",
                table: "Engines",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.CreateTable(
                name: "Tasks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    EngineId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Payload = table.Column<string>(type: "TEXT", nullable: false),
                    Priority = table.Column<int>(type: "INTEGER", nullable: false),
                    MaxAttempts = table.Column<int>(type: "INTEGER", nullable: false),
                    TimeoutSeconds = table.Column<int>(type: "INTEGER", nullable: false),
                    IdempotencyKey = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    InstanceId = table.Column<Guid>(type: "TEXT", nullable: true),
                    LeasedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LeaseExpiresAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Result = table.Column<string>(type: "TEXT", nullable: true),
                    Error = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Tasks", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Tasks_Engines_EngineId",
                        column: x => x.EngineId,
                        principalTable: "Engines",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_EngineId_Id",
                table: "Tasks",
                columns: new[] { "EngineId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_EngineId_IdempotencyKey",
                table: "Tasks",
                columns: new[] { "EngineId", "IdempotencyKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_EngineId_State_Id",
                table: "Tasks",
                columns: new[] { "EngineId", "State", "Id" });

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
                name: "IX_Tasks_State_Id",
                table: "Tasks",
                columns: new[] { "State", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_State_LeaseExpiresAt",
                table: "Tasks",
                columns: new[] { "State", "LeaseExpiresAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Tasks");

            migrationBuilder.DropColumn(
                name: "ScaleDownAfterSeconds",
                table: "Engines");

            migrationBuilder.DropColumn(
                name: "ScaleDownWantedSince",
                table: "Engines");

            migrationBuilder.DropColumn(
                name: "ScalingMode",
                table: "Engines");

            migrationBuilder.DropColumn(
                name: "TargetTasksPerInstance",
                table: "Engines");
        }
    }
}
