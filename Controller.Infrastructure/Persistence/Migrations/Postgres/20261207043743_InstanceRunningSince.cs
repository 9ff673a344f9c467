using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Controller.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class InstanceRunningSince : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "RunningSince",
                table: "EngineInstances",
                type: "timestamp with time zone",
                nullable: true);

            // Copies running at the upgrade count from their last state change (the best the rows know).
            migrationBuilder.Sql("UPDATE \"EngineInstances\" SET \"RunningSince\" = \"StateChangedAt\" WHERE \"State\" = 'Running'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "RunningSince",
                table: "EngineInstances");
        }
    }
}
