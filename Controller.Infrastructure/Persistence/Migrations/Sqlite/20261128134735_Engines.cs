using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Controller.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Engines : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Allocated",
                table: "Hosts",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "0,0,0,0");

            migrationBuilder.CreateTable(
                name: "Engines",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Image = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Resources = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Priority = table.Column<int>(type: "INTEGER", nullable: false),
                    MinInstances = table.Column<int>(type: "INTEGER", nullable: false),
                    MaxInstances = table.Column<int>(type: "INTEGER", nullable: false),
                    DesiredInstances = table.Column<int>(type: "INTEGER", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ActiveInstances = table.Column<int>(type: "INTEGER", nullable: false),
                    ConsecutiveFailures = table.Column<int>(type: "INTEGER", nullable: false),
                    BackoffUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LiveName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    HostLabels = table.Column<string>(type: "TEXT", nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Engines", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "EngineInstances",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    EngineId = table.Column<Guid>(type: "TEXT", nullable: false),
                    HostId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Image = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Resources = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ContainerId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    TokenId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    StateChangedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RegisteredAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastHeartbeatAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Busy = table.Column<bool>(type: "INTEGER", nullable: false),
                    StopReason = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ExitCode = table.Column<int>(type: "INTEGER", nullable: true),
                    GpuIndexes = table.Column<string>(type: "TEXT", nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EngineInstances", x => x.Id);
                    table.ForeignKey(
                        name: "FK_EngineInstances_Engines_EngineId",
                        column: x => x.EngineId,
                        principalTable: "Engines",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_EngineInstances_Hosts_HostId",
                        column: x => x.HostId,
                        principalTable: "Hosts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_EngineInstances_EngineId_State",
                table: "EngineInstances",
                columns: new[] { "EngineId", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_EngineInstances_HostId_State",
                table: "EngineInstances",
                columns: new[] { "HostId", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_EngineInstances_State",
                table: "EngineInstances",
                column: "State");

            migrationBuilder.CreateIndex(
                name: "IX_Engines_LiveName",
                table: "Engines",
                column: "LiveName",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Engines_State",
                table: "Engines",
                column: "State");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "EngineInstances");

            migrationBuilder.DropTable(
                name: "Engines");

            migrationBuilder.DropColumn(
                name: "Allocated",
                table: "Hosts");
        }
    }
}
