using System.ComponentModel;
using Bookstore.Marketplace.Recommending;
using Bookstore.Protos;
using Grpc.Core;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;

namespace Bookstore.Marketplace.Books;

/// <summary>The outcome of a call to Recommendations about a book.</summary>
public enum BookCallStatus
{
    Ok,
    NotFound,
    Invalid,
    Unavailable,
}

/// <summary>
/// A book as the Marketplace shows it. Immutable and sealed, so that <see cref="HybridCache"/> hands out the cached
/// instance itself instead of a deserialized copy on every hit.
/// </summary>
[ImmutableObject(true)]
public sealed record BookInfo(int Id, string Title, string Author, BookCategory Category, double AverageRating, int RatingCount)
{
    public static BookInfo From(BookDetails book) =>
        new(book.Id, book.Title, book.Author, book.Category, book.AverageRating, book.RatingCount);
}

public sealed record BookResult(BookCallStatus Status, BookInfo? Book = null, int UserStars = 0, string? Error = null);

/// <summary>
/// Books and ratings from Recommendations. A book's data (title, author, category, average rating) rarely changes: it
/// goes through <see cref="HybridCache"/> for <see cref="BookCacheOptions.Expiration"/> and is dropped from it when a
/// rating through this Marketplace changes the average. A visitor's own stars are never cached.
/// </summary>
public sealed partial class BookClient(
    Protos.Recommendations.RecommendationsClient client,
    HybridCache cache,
    BookCacheMetrics metrics,
    IOptions<RecommendationsOptions> recommendationsOptions,
    IOptions<BookCacheOptions> cacheOptions,
    ILogger<BookClient> logger)
{
    /// <summary>The book with its rating, from the cache when it has it.</summary>
    public async ValueTask<BookResult> GetAsync(int bookId, CancellationToken cancellationToken)
    {
        metrics.RecordLookup();
        try
        {
            // A static factory with its state passed in: a hit allocates no closure. The factory runs on a miss only.
            var book = await cache.GetOrCreateAsync(
                CacheKey(bookId),
                (Client: this, BookId: bookId),
                static async (state, token) => await state.Client.FetchAsync(state.BookId, token),
                _entryOptions,
                cancellationToken: cancellationToken);
            return new BookResult(BookCallStatus.Ok, book);
        }
        catch (RpcException exception) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(exception, bookId);
        }
    }

    /// <summary>The book and the visitor's own stars, fresh from Recommendations (the cache gets the fresh book too).</summary>
    public async Task<BookResult> GetForVisitorAsync(int bookId, int userId, CancellationToken cancellationToken)
    {
        try
        {
            var response = await CallAsync(() => client.GetBookAsync(new GetBookRequest { BookId = bookId, UserId = userId }, deadline: Deadline(), cancellationToken: cancellationToken));
            var book = BookInfo.From(response.Book);
            await cache.SetAsync(CacheKey(bookId), book, _entryOptions, cancellationToken: cancellationToken);
            return new BookResult(BookCallStatus.Ok, book, response.UserStars);
        }
        catch (RpcException exception) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(exception, bookId);
        }
    }

    /// <summary>
    /// Rates the book. Ok only once Recommendations has committed the rating; Unavailable means it may or may not have
    /// been (a retry is safe: the same user's rating of a book is replaced, never added twice).
    /// </summary>
    public async Task<BookResult> RateAsync(int bookId, int userId, int stars, CancellationToken cancellationToken)
    {
        try
        {
            var response = await CallAsync(() => client.RateBookAsync(new RateBookRequest { BookId = bookId, UserId = userId, Stars = stars }, deadline: Deadline(), cancellationToken: cancellationToken));
            await cache.RemoveAsync(CacheKey(bookId), cancellationToken);
            return new BookResult(BookCallStatus.Ok, BookInfo.From(response.Book), stars);
        }
        catch (RpcException exception) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(exception, bookId);
        }
    }

    private readonly HybridCacheEntryOptions _entryOptions =
        new() { Expiration = cacheOptions.Value.Expiration, LocalCacheExpiration = cacheOptions.Value.Expiration };

    private static string CacheKey(int bookId) => $"book:{bookId}";

    private async Task<BookInfo> FetchAsync(int bookId, CancellationToken cancellationToken)
    {
        metrics.RecordMiss();
        var response = await CallAsync(() => client.GetBookAsync(new GetBookRequest { BookId = bookId }, deadline: Deadline(), cancellationToken: cancellationToken));
        return BookInfo.From(response.Book);
    }

    private static async Task<T> CallAsync<T>(Func<AsyncUnaryCall<T>> call)
    {
        using var pending = call();
        return await pending.ResponseAsync;
    }

    private DateTime Deadline() => DateTime.UtcNow + recommendationsOptions.Value.Deadline;

    private BookResult Failed(RpcException exception, int bookId)
    {
        switch (exception.StatusCode)
        {
            case StatusCode.NotFound:
                return new BookResult(BookCallStatus.NotFound, Error: exception.Status.Detail);
            case StatusCode.InvalidArgument:
                return new BookResult(BookCallStatus.Invalid, Error: exception.Status.Detail);
            default:
                LogUnavailable(exception, bookId, exception.StatusCode);
                return new BookResult(BookCallStatus.Unavailable, Error: exception.Status.Detail);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Recommendations did not answer about book {BookId} ({GrpcStatusCode})")]
    private partial void LogUnavailable(Exception exception, int bookId, StatusCode grpcStatusCode);
}

/// <summary>The "BookCache" configuration section.</summary>
public sealed class BookCacheOptions
{
    public const string SectionName = "BookCache";

    /// <summary>How long a book's data is served from the cache. Default 30 s.</summary>
    public TimeSpan Expiration { get; set; } = TimeSpan.FromSeconds(30);
}
