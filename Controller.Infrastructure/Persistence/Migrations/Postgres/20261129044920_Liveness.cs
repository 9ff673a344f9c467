using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Controller.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Liveness : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_EngineInstances_HostId_State",
                table: "EngineInstances");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "FirstUsedAt",
                table: "Tokens",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Displaced",
                table: "EngineInstances",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateIndex(
                name: "IX_EngineInstances_HostId_State_StateChangedAt",
                table: "EngineInstances",
                columns: new[] { "HostId", "State", "StateChangedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_EngineInstances_HostId_State_StateChangedAt",
                table: "EngineInstances");

            migrationBuilder.DropColumn(
                name: "FirstUsedAt",
                table: "Tokens");

            migrationBuilder.DropColumn(
                name: "Displaced",
                table: "EngineInstances");

            migrationBuilder.CreateIndex(
                name: "IX_EngineInstances_HostId_State",
                table: "EngineInstances",
                columns: new[] { "HostId", "State" });
        }
    }
}
