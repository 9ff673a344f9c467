using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Controller.Infrastructure.Persistence.Migrations.Postgres
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
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "0,0,0,0");

            migrationBuilder.CreateTable(
                name: "Engines",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Image = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Resources = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Priority = table.Column<int>(type: "integer", nullable: false),
                    MinInstances = table.Column<int>(type: "integer", nullable: false),
                    MaxInstances = table.Column<int>(type: "integer", nullable: false),
                    DesiredInstances = table.Column<int>(type: "integer", nullable: false),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ActiveInstances = table.Column<int>(type: "integer", nullable: false),
                    ConsecutiveFailures = table.Column<int>(type: "integer", nullable: false),
                    BackoffUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LiveName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    HostLabels = table.Column<string>(type: "text", nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Engines", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "EngineInstances",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    EngineId = table.Column<Guid>(type: "uuid", nullable: false),
                    HostId = table.Column<Guid>(type: "uuid", nullable: false),
                    Image = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Resources = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ContainerId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    TokenId = table.Column<Guid>(type: "uuid", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    StateChangedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RegisteredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastHeartbeatAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Busy = table.Column<bool>(type: "boolean", nullable: false),
                    StopReason = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    ExitCode = table.Column<int>(type: "integer", nullable: true),
                    GpuIndexes = table.Column<string>(type: "text", nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false)
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
