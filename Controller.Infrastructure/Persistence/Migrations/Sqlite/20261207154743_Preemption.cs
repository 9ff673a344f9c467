using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Controller.Infrastructure.Persistence.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<int>(
                name: "PreemptionsPending",
                table: "Engines",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "PreemptionsPendingUntil",
                table: "Engines",
                type: "INTEGER",
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
