using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Controller.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RollingUpdates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "CurrentInstances",
                table: "Engines",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "LastRevision",
                table: "Engines",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<int>(
                name: "Revision",
                table: "Engines",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<int>(
                name: "RolloutFailures",
                table: "Engines",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "RolloutPausedReason",
                table: "Engines",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "RolloutProgress",
                table: "Engines",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "RolloutProgressAt",
                table: "Engines",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RolloutStartedAt",
                table: "Engines",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "StableRevision",
                table: "Engines",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "UpdatePolicy",
                table: "Engines",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValueSql: "'25%;0;10;600;0'");

            migrationBuilder.AddColumn<int>(
                name: "Revision",
                table: "EngineInstances",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.CreateTable(
                name: "EngineRevisions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    EngineId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    Image = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Resources = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Command = table.Column<string>(type: "TEXT", nullable: true),
                    Environment = table.Column<string>(type: "TEXT", nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EngineRevisions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_EngineRevisions_Engines_EngineId",
                        column: x => x.EngineId,
                        principalTable: "Engines",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_EngineRevisions_EngineId_Number",
                table: "EngineRevisions",
                columns: new[] { "EngineId", "Number" },
                unique: true);

            // Existing copies all run the engine's first revision.
            migrationBuilder.Sql("UPDATE \"Engines\" SET \"CurrentInstances\" = \"ActiveInstances\";");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "EngineRevisions");

            migrationBuilder.DropColumn(
                name: "CurrentInstances",
                table: "Engines");

            migrationBuilder.DropColumn(
                name: "LastRevision",
                table: "Engines");

            migrationBuilder.DropColumn(
                name: "Revision",
                table: "Engines");

            migrationBuilder.DropColumn(
                name: "RolloutFailures",
                table: "Engines");

            migrationBuilder.DropColumn(
                name: "RolloutPausedReason",
                table: "Engines");

            migrationBuilder.DropColumn(
                name: "RolloutProgress",
                table: "Engines");

            migrationBuilder.DropColumn(
                name: "RolloutProgressAt",
                table: "Engines");

            migrationBuilder.DropColumn(
                name: "RolloutStartedAt",
                table: "Engines");

            migrationBuilder.DropColumn(
                name: "StableRevision",
                table: "Engines");

            migrationBuilder.DropColumn(
                name: "UpdatePolicy",
                table: "Engines");

            migrationBuilder.DropColumn(
                name: "Revision",
                table: "EngineInstances");
        }
    }
}
