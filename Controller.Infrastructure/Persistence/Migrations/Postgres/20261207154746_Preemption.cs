using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Controller.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Preemption : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Existing engines keep the documented default: their copies may be preempted.
            migrationBuilder.AddColumn<bool>(
                name: "Preemptible",
                table: "Engines",
                type: "boolean",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<int>(
                name: "PreemptionsPending",
                table: "Engines",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "PreemptionsPendingUntil",
                table: "Engines",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Preemptible",
                table: "Engines");

            migrationBuilder.DropColumn(
                name: "PreemptionsPending",
                table: "Engines");

            migrationBuilder.DropColumn(
                name: "PreemptionsPendingUntil",
                table: "Engines");
        }
    }
}
