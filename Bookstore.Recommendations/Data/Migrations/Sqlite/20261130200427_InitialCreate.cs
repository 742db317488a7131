using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Bookstore.Recommendations.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Books",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Author = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Category = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Books", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Ratings",
                columns: table => new
                {
                    UserId = table.Column<int>(type: "INTEGER", nullable: false),
                    BookId = table.Column<int>(type: "INTEGER", nullable: false),
                    Stars = table.Column<int>(type: "INTEGER", nullable: false),
                    RatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Ratings", x => new { x.UserId, x.BookId });
                    table.CheckConstraint("CK_Ratings_Stars", "\"Stars\" BETWEEN 1 AND 5");
                    table.ForeignKey(
                        name: "FK_Ratings_Books_BookId",
                        column: x => x.BookId,
                        principalTable: "Books",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.InsertData(
                table: "Books",
                columns: new[] { "Id", "Author", "Category", "Title" },
                values: new object[,]
                {
                    { 1, "Dashiell Hammett", 0, "The Maltese Falcon" },
                    { 2, "Agatha Christie", 0, "Murder on the Orient Express" },
                    { 3, "Arthur Conan Doyle", 0, "The Hound of the Baskervilles" },
                    { 4, "Douglas Adams", 1, "The Hitchhiker's Guide to the Galaxy" },
                    { 5, "Orson Scott Card", 1, "Ender's Game" },
                    { 6, "Frank Herbert", 1, "The Dune Chronicles" },
                    { 7, "Stephen R. Covey", 2, "The 7 Habits of Highly Effective People" },
                    { 8, "Dale Carnegie", 2, "How to Win Friends and Influence People" },
                    { 9, "Viktor E. Frankl", 2, "Man's Search for Meaning" },
                    { 10, "Raymond Chandler", 0, "The Big Sleep" },
                    { 11, "Agatha Christie", 0, "And Then There Were None" },
                    { 12, "Umberto Eco", 0, "The Name of the Rose" },
                    { 13, "Wilkie Collins", 0, "The Moonstone" },
                    { 14, "Daphne du Maurier", 0, "Rebecca" },
                    { 15, "Josephine Tey", 0, "The Daughter of Time" },
                    { 16, "Gillian Flynn", 0, "Gone Girl" },
                    { 17, "Tana French", 0, "In the Woods" },
                    { 18, "Stieg Larsson", 0, "The Girl with the Dragon Tattoo" },
                    { 19, "William Gibson", 1, "Neuromancer" },
                    { 20, "Ursula K. Le Guin", 1, "The Left Hand of Darkness" },
                    { 21, "Isaac Asimov", 1, "Foundation" },
                    { 22, "Dan Simmons", 1, "Hyperion" },
                    { 23, "Liu Cixin", 1, "The Three-Body Problem" },
                    { 24, "Neal Stephenson", 1, "Snow Crash" },
                    { 25, "Arthur C. Clarke", 1, "Childhood's End" },
                    { 26, "Stanisław Lem", 1, "Solaris" },
                    { 27, "Andy Weir", 1, "The Martian" },
                    { 28, "James Clear", 2, "Atomic Habits" },
                    { 29, "Daniel Kahneman", 2, "Thinking, Fast and Slow" },
                    { 30, "Carol S. Dweck", 2, "Mindset" },
                    { 31, "Charles Duhigg", 2, "The Power of Habit" },
                    { 32, "Cal Newport", 2, "Deep Work" },
                    { 33, "Mihaly Csikszentmihalyi", 2, "Flow" },
                    { 34, "David Allen", 2, "Getting Things Done" },
                    { 35, "Susan Cain", 2, "Quiet" },
                    { 36, "David D. Burns", 2, "Feeling Good" }
                });

            migrationBuilder.CreateIndex(
                name: "IX_Books_Category",
                table: "Books",
                column: "Category");

            migrationBuilder.CreateIndex(
                name: "IX_Ratings_BookId",
                table: "Ratings",
                column: "BookId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Ratings");

            migrationBuilder.DropTable(
                name: "Books");
        }
    }
}
