using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Controller.Infrastructure.Persistence.Migrations.SqlServer
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
                type: "bit",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<int>(
                name: "PreemptionsPending",
                table: "Engines",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "PreemptionsPendingUntil",
                table: "Engines",
                type: "datetimeoffset",
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
