using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Controller.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class HostStatusOutsideHostRow : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "StatusDigest",
                table: "Hosts",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "HostStatus",
                columns: table => new
                {
                    HostId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Report = table.Column<string>(type: "TEXT", nullable: true),
                    Answer = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_HostStatus", x => x.HostId);
                    table.ForeignKey(
                        name: "FK_HostStatus_Hosts_HostId",
                        column: x => x.HostId,
                        principalTable: "Hosts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Each host's last report and answer move to its status row; every host gets one.
            migrationBuilder.Sql(@"INSERT INTO ""HostStatus"" (""HostId"", ""Report"", ""Answer"") SELECT ""Id"", ""LastStatusReport"", ""LastStatusAnswer"" FROM ""Hosts"";");

            // SQLite drops a plain column in place (3.35+): EF's DropColumn would rebuild the table, which needs
            // foreign keys off outside the migration's transaction.
            migrationBuilder.Sql(@"ALTER TABLE ""Hosts"" DROP COLUMN ""LastStatusAnswer"";");

            migrationBuilder.Sql(@"ALTER TABLE ""Hosts"" DROP COLUMN ""LastStatusReport"";");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "LastStatusAnswer",
                table: "Hosts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastStatusReport",
                table: "Hosts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.Sql(@"UPDATE ""Hosts"" SET ""LastStatusReport"" = (SELECT ""Report"" FROM ""HostStatus"" WHERE ""HostStatus"".""HostId"" = ""Hosts"".""Id""), ""LastStatusAnswer"" = (SELECT ""Answer"" FROM ""HostStatus"" WHERE ""HostStatus"".""HostId"" = ""Hosts"".""Id"");");

            migrationBuilder.DropTable(
                name: "HostStatus");

            migrationBuilder.DropColumn(
                name: "StatusDigest",
                table: "Hosts");
        }
    }
}
