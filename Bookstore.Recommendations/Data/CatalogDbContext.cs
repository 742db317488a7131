using Bookstore.Recommendations.Catalog;
using Microsoft.EntityFrameworkCore;

namespace Bookstore.Recommendations.Data;

/// <summary>
/// The catalog and the readers' ratings. One model, two providers; EF Core migrations are provider-specific, so each
/// provider has its own context type and its own migrations (Data/Migrations/Sqlite, Data/Migrations/Postgres).
/// </summary>
public abstract class CatalogDbContext(DbContextOptions options) : DbContext(options)
{
    public const int MaxTextLength = 200;

    public DbSet<Book> Books => Set<Book>();

    public DbSet<Rating> Ratings => Set<Rating>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Book>(book =>
        {
            book.Property(b => b.Id).ValueGeneratedNever();
            book.Property(b => b.Title).HasMaxLength(MaxTextLength);
            book.Property(b => b.Author).HasMaxLength(MaxTextLength);
            book.HasIndex(b => b.Category);
            book.HasData(CatalogSeed.Books);
        });

        modelBuilder.Entity<Rating>(rating =>
        {
            // One rating per user and book: a retried or repeated rating replaces the row, it never adds one.
            rating.HasKey(r => new { r.UserId, r.BookId });
            rating.HasIndex(r => r.BookId);
            rating.HasOne<Book>().WithMany().HasForeignKey(r => r.BookId).OnDelete(DeleteBehavior.Cascade);
            rating.ToTable(table => table.HasCheckConstraint("CK_Ratings_Stars", "\"Stars\" BETWEEN 1 AND 5"));
        });
    }
}

/// <summary>The embedded default: a SQLite file.</summary>
public sealed class SqliteCatalogDbContext(DbContextOptions<SqliteCatalogDbContext> options) : CatalogDbContext(options);

/// <summary>PostgreSQL, through Aspire's Npgsql integration.</summary>
public sealed class PostgresCatalogDbContext(DbContextOptions<PostgresCatalogDbContext> options) : CatalogDbContext(options);
