using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Controller.Infrastructure.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class TaskSubmittedBy : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "SubmittedBy",
                table: "Tasks",
                type: "uniqueidentifier",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_SubmittedBy_Id",
                table: "Tasks",
                columns: new[] { "SubmittedBy", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tasks_SubmittedBy_Id",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "SubmittedBy",
                table: "Tasks");
        }
    }
}
