using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Controller.Infrastructure.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class EngineRuntime : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Command",
                table: "Engines",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Environment",
                table: "Engines",
                type: "nvarchar(max)",
                nullable: false,
                defaultValue: "{}");

            migrationBuilder.AddColumn<int>(
                name: "StopGraceSeconds",
                table: "Engines",
                type: "int",
                nullable: false,
                defaultValue: 30);

            migrationBuilder.AddColumn<string>(
                name: "Command",
                table: "EngineInstances",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Environment",
                table: "EngineInstances",
                type: "nvarchar(max)",
                nullable: false,
                defaultValue: "{}");

            migrationBuilder.AddColumn<int>(
                name: "StopGraceSeconds",
                table: "EngineInstances",
                type: "int",
                nullable: false,
                defaultValue: 30);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Command",
                table: "Engines");

            migrationBuilder.DropColumn(
                name: "Environment",
                table: "Engines");

            migrationBuilder.DropColumn(
                name: "StopGraceSeconds",
                table: "Engines");

            migrationBuilder.DropColumn(
                name: "Command",
                table: "EngineInstances");

            migrationBuilder.DropColumn(
                name: "Environment",
                table: "EngineInstances");

            migrationBuilder.DropColumn(
                name: "StopGraceSeconds",
                table: "EngineInstances");
        }
    }
}
