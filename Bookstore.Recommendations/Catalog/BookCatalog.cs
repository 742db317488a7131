using Bookstore.Protos;
using Bookstore.Recommendations.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Bookstore.Recommendations.Catalog;

/// <summary>
/// Reads and writes the catalog. Recommend runs on every page view, so what it needs is kept in memory for
/// <see cref="CatalogOptions.ReadCacheDuration"/>: the books with their ratings (one snapshot, refreshed in the
/// background when it is older) and, per user, the ids of the books they rated. A rating taken by this process shows at
/// once; one taken by another replica within that duration (bench/: a query per call would cost about half of
/// Recommend's throughput). Book pages and ratings always read the database.
/// </summary>
public sealed class BookCatalog(IServiceScopeFactory scopes, IOptions<CatalogOptions> options, TimeProvider time) : IDisposable
{
    private readonly MemoryCache _ratedByUser = new(new MemoryCacheOptions { SizeLimit = options.Value.CachedUsers });
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private volatile Snapshot? _snapshot;

    /// <summary>The books of a category with their ratings, or null when the category has no books.</summary>
    public async ValueTask<IReadOnlyList<BookRating>?> FindByCategoryAsync(BookCategory category, CancellationToken cancellationToken)
    {
        var snapshot = await CurrentSnapshotAsync(cancellationToken);
        return snapshot.ByCategory.GetValueOrDefault(category);
    }

    /// <summary>The ids of the books the user has rated.</summary>
    public async ValueTask<IReadOnlySet<int>> RatedByAsync(int userId, CancellationToken cancellationToken)
    {
        if (_ratedByUser.TryGetValue(userId, out IReadOnlySet<int>? rated))
        {
            return rated!;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
        rated = (await db.Ratings.Where(r => r.UserId == userId).Select(r => r.BookId).ToListAsync(cancellationToken)).ToHashSet();
        _ratedByUser.Set(userId, rated, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = options.Value.ReadCacheDuration });
        return rated;
    }

    /// <summary>A book with its rating and, when asked, the user's own stars (0: not rated). Null when there is no such book.</summary>
    public async Task<(BookRating Book, int UserStars)?> GetAsync(int bookId, int? userId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
        var book = await db.Books.AsNoTracking().SingleOrDefaultAsync(b => b.Id == bookId, cancellationToken);
        if (book is null)
        {
            return null;
        }

        var rating = await RatingOfAsync(db, book, cancellationToken);
        var userStars = userId is { } user
            ? await db.Ratings.Where(r => r.UserId == user && r.BookId == bookId).Select(r => r.Stars).SingleOrDefaultAsync(cancellationToken)
            : 0;
        return (rating, userStars);
    }

    /// <summary>
    /// Records the user's stars for the book, replacing an earlier rating, and returns the book's rating once the row is
    /// committed. Null when there is no such book. Idempotent: the same call twice leaves one rating.
    /// </summary>
    public async Task<BookRating?> RateAsync(int userId, int bookId, int stars, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
        var book = await db.Books.AsNoTracking().SingleOrDefaultAsync(b => b.Id == bookId, cancellationToken);
        if (book is null)
        {
            return null;
        }

        // One statement, committed on its own: insert, or replace the user's earlier stars. EF Core has no upsert; this
        // SQL is the same on SQLite (3.24+) and PostgreSQL, and the primary key (user, book) makes a retry count once.
        var ratedAt = time.GetUtcNow().UtcDateTime;
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"""
            INSERT INTO "Ratings" ("UserId", "BookId", "Stars", "RatedAt") VALUES ({userId}, {bookId}, {stars}, {ratedAt})
            ON CONFLICT ("UserId", "BookId") DO UPDATE SET "Stars" = excluded."Stars", "RatedAt" = excluded."RatedAt"
            """,
            cancellationToken);

        _ratedByUser.Remove(userId);
        var rating = await RatingOfAsync(db, book, cancellationToken);
        _snapshot?.Update(rating);
        return rating;
    }

    public void Dispose()
    {
        _ratedByUser.Dispose();
        _refreshing.Dispose();
    }

    private static async Task<BookRating> RatingOfAsync(CatalogDbContext db, Book book, CancellationToken cancellationToken)
    {
        var stats = await db.Ratings.Where(r => r.BookId == book.Id)
            .GroupBy(r => r.BookId)
            .Select(g => new { Count = g.Count(), Sum = g.Sum(r => r.Stars) })
            .SingleOrDefaultAsync(cancellationToken);
        return stats is null ? new BookRating(book, 0, 0) : new BookRating(book, (double)stats.Sum / stats.Count, stats.Count);
    }

    private async ValueTask<Snapshot> CurrentSnapshotAsync(CancellationToken cancellationToken)
    {
        var snapshot = _snapshot;
        if (snapshot is null)
        {
            return await RefreshAsync(wait: true, cancellationToken) ?? _snapshot!;
        }

        if (time.GetUtcNow() - snapshot.TakenAt > options.Value.ReadCacheDuration)
        {
            // Stale: this call answers from it, one background refresh replaces it.
            _ = RefreshAsync(wait: false, CancellationToken.None);
        }

        return snapshot;
    }

    private async Task<Snapshot?> RefreshAsync(bool wait, CancellationToken cancellationToken)
    {
        if (!wait && !_refreshing.Wait(0, CancellationToken.None))
        {
            return null;
        }

        if (wait)
        {
            await _refreshing.WaitAsync(cancellationToken);
            if (_snapshot is { } loaded)
            {
                _refreshing.Release();
                return loaded;
            }
        }

        try
        {
            var takenAt = time.GetUtcNow();
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
            var books = await db.Books.AsNoTracking().ToListAsync(cancellationToken);
            var stats = await db.Ratings.GroupBy(r => r.BookId)
                .Select(g => new { BookId = g.Key, Count = g.Count(), Sum = g.Sum(r => r.Stars) })
                .ToDictionaryAsync(s => s.BookId, cancellationToken);
            var ratings = books.Select(book => stats.TryGetValue(book.Id, out var s)
                ? new BookRating(book, (double)s.Sum / s.Count, s.Count)
                : new BookRating(book, 0, 0));
            return _snapshot = new Snapshot(takenAt, ratings);
        }
        catch (Exception) when (!wait)
        {
            // A failed background refresh keeps the current snapshot; the next call past its age tries again.
            return null;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>The books by category with their ratings, as read at <see cref="TakenAt"/>.</summary>
    private sealed class Snapshot
    {
        private readonly Lock _updating = new();

        public Snapshot(DateTimeOffset takenAt, IEnumerable<BookRating> ratings)
        {
            TakenAt = takenAt;
            ByCategory = ratings.GroupBy(r => r.Book.Category).ToDictionary(g => g.Key, g => (IReadOnlyList<BookRating>)g.OrderBy(r => r.Book.Id).ToArray());
        }

        public DateTimeOffset TakenAt { get; }

        public Dictionary<BookCategory, IReadOnlyList<BookRating>> ByCategory { get; private set; }

        /// <summary>This process's own rating shows at once: copy on write, readers never see a half-updated list.</summary>
        public void Update(BookRating rating)
        {
            lock (_updating)
            {
                var byCategory = new Dictionary<BookCategory, IReadOnlyList<BookRating>>(ByCategory);
                if (byCategory.TryGetValue(rating.Book.Category, out var books))
                {
                    byCategory[rating.Book.Category] = books.Select(b => b.Book.Id == rating.Book.Id ? rating : b).ToArray();
                    ByCategory = byCategory;
                }
            }
        }
    }
}

/// <summary>The "Catalog" configuration section.</summary>
public sealed class CatalogOptions
{
    public const string SectionName = "Catalog";

    /// <summary>How long Recommend may use what it read: the books' ratings and a user's rated books. Default 2 s.</summary>
    public TimeSpan ReadCacheDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>At most this many users' rated books are kept in memory. Default 100,000.</summary>
    public long CachedUsers { get; set; } = 100_000;

    /// <summary>
    /// Apply pending migrations before serving. Default: yes in Development and on SQLite; elsewhere the deployment runs
    /// <c>migrate</c> (a Kubernetes Job, a Compose one-shot service) and the service stays unready until it has.
    /// </summary>
    public bool? MigrateOnStart { get; set; }

    /// <summary>
    /// On SQLite, a migration lock held longer than this was left by a process that died migrating, and is removed
    /// (Data/SqliteMigrationLock.cs). Default 30 s.
    /// </summary>
    public TimeSpan MigrationLockTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
