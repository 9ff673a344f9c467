using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Controller.Infrastructure.Persistence.Migrations.SqlServer
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
                type: "nvarchar(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "HostStatus",
                columns: table => new
                {
                    HostId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Report = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    Answer = table.Column<string>(type: "nvarchar(max)", nullable: true)
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
            migrationBuilder.Sql(@"INSERT INTO [HostStatus] ([HostId], [Report], [Answer]) SELECT [Id], [LastStatusReport], [LastStatusAnswer] FROM [Hosts];");

            migrationBuilder.DropColumn(
                name: "LastStatusAnswer",
                table: "Hosts");

            migrationBuilder.DropColumn(
                name: "LastStatusReport",
                table: "Hosts");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "LastStatusAnswer",
                table: "Hosts",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastStatusReport",
                table: "Hosts",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.Sql(@"UPDATE [Hosts] SET [LastStatusReport] = (SELECT [Report] FROM [HostStatus] WHERE [HostStatus].[HostId] = [Hosts].[Id]), [LastStatusAnswer] = (SELECT [Answer] FROM [HostStatus] WHERE [HostStatus].[HostId] = [Hosts].[Id]);");

            migrationBuilder.DropTable(
                name: "HostStatus");

            migrationBuilder.DropColumn(
                name: "StatusDigest",
                table: "Hosts");
        }
    }
}
