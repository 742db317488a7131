using Bookstore.Protos;
using Bookstore.Recommendations.Data;
using Bookstore.Recommendations.Recommending;
using Bookstore.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;

namespace Bookstore.Tests.Unit;

/// <summary>The service's logic called in-process, as the seed tutorial's tests do, on a real SQLite catalog.</summary>
public sealed class RecommendationsServiceTests() : RecommendationsServiceRules(CatalogProvider.Sqlite);

/// <summary>The same rules on PostgreSQL (our image in the Docker engine that scripts/test.sh starts).</summary>
public sealed class RecommendationsServiceOnPostgresTests() : RecommendationsServiceRules(CatalogProvider.Postgres);

/// <summary>Every rule of the Recommendations contract, on one database provider.</summary>
public abstract class RecommendationsServiceRules(CatalogProvider provider) : IAsyncLifetime
{
    private readonly FakeServerCallContext _context = new();
    private CatalogFixture _catalog = null!;
    private RecommendationsService _service = null!;

    public async ValueTask InitializeAsync()
    {
        _catalog = await CatalogFixture.CreateAsync(provider);
        _service = new RecommendationsService(_catalog.Catalog);
    }

    public async ValueTask DisposeAsync()
    {
        await _catalog.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Theory]
    [InlineData(BookCategory.Mystery)]
    [InlineData(BookCategory.ScienceFiction)]
    [InlineData(BookCategory.SelfHelp)]
    public async Task Recommends_the_requested_number_of_distinct_books_of_the_category(BookCategory category)
    {
        var response = await _service.Recommend(new RecommendationRequest { UserId = 1, Category = category, MaxResults = 3 }, _context);

        Assert.Equal(3, response.Recommendations.Count);
        Assert.Equal(3, response.Recommendations.Select(book => book.Id).Distinct().Count());
        var inCategory = CatalogSeed.Books.Where(book => book.Category == category).ToDictionary(book => book.Id);
        Assert.All(response.Recommendations, book => Assert.Equal(inCategory[book.Id].Title, book.Title));
    }

    [Fact]
    public async Task Max_results_zero_means_the_default_of_three()
    {
        var response = await _service.Recommend(new RecommendationRequest { UserId = 1, Category = BookCategory.Mystery }, _context);

        Assert.Equal(RequestValidator.DefaultMaxResults, response.Recommendations.Count);
    }

    [Fact]
    public async Task Asking_for_more_books_than_the_category_has_returns_all_of_them_once()
    {
        var response = await _service.Recommend(new RecommendationRequest { UserId = 1, Category = BookCategory.SelfHelp, MaxResults = 100 }, _context);

        var expected = CatalogSeed.Books.Where(book => book.Category == BookCategory.SelfHelp).Select(book => book.Id).Order();
        Assert.Equal(expected, response.Recommendations.Select(book => book.Id).Order());
    }

    [Fact]
    public async Task Picks_at_random()
    {
        var seen = new HashSet<int>();
        for (var i = 0; i < 50; i++)
        {
            var response = await _service.Recommend(new RecommendationRequest { Category = BookCategory.Mystery, MaxResults = 1 }, _context);
            seen.Add(response.Recommendations.Single().Id);
        }

        // 50 draws of 1 from 12 books: seeing fewer than 4 distinct books would be a 1-in-10^30 event.
        Assert.True(seen.Count >= 4, $"Only {seen.Count} distinct books in 50 draws.");
    }

    [Fact]
    public async Task Skips_the_books_the_user_has_rated()
    {
        var mystery = CatalogSeed.Books.Where(book => book.Category == BookCategory.Mystery).Select(book => book.Id).ToList();
        foreach (var id in mystery.Take(9))
        {
            await _service.RateBook(new RateBookRequest { UserId = 42, BookId = id, Stars = 5 }, _context);
        }

        var response = await _service.Recommend(new RecommendationRequest { UserId = 42, Category = BookCategory.Mystery, MaxResults = 100 }, _context);

        Assert.Equal(mystery.Skip(9).Order(), response.Recommendations.Select(book => book.Id).Order());
        // Another user still gets every book.
        var other = await _service.Recommend(new RecommendationRequest { UserId = 43, Category = BookCategory.Mystery, MaxResults = 100 }, _context);
        Assert.Equal(mystery.Count, other.Recommendations.Count);
    }

    [Fact]
    public async Task Prefers_well_rated_books_and_keeps_variety()
    {
        // Book 1 five stars from 10 readers, book 2 one star from 10 readers; the other ten mystery books unrated.
        for (var user = 100; user < 110; user++)
        {
            await _service.RateBook(new RateBookRequest { UserId = user, BookId = 1, Stars = 5 }, _context);
            await _service.RateBook(new RateBookRequest { UserId = user, BookId = 2, Stars = 1 }, _context);
        }

        var counts = new Dictionary<int, int>();
        const int Draws = 3000;
        for (var i = 0; i < Draws; i++)
        {
            var id = (await _service.Recommend(new RecommendationRequest { UserId = 1, Category = BookCategory.Mystery, MaxResults = 1 }, _context)).Recommendations.Single().Id;
            counts[id] = counts.GetValueOrDefault(id) + 1;
        }

        // Weights (squared smoothed stars): book 1 about 21.8, book 2 about 1.8, the unrated ten 9 each. Expected picks
        // of 3000: about 582, 48 and 237 each. The bounds below are more than 5 standard deviations away.
        Assert.InRange(counts.GetValueOrDefault(1), 450, 720);
        Assert.InRange(counts.GetValueOrDefault(2), 10, 100);
        Assert.True(counts.Count == 12, $"Only {counts.Count} of the 12 mystery books were ever picked.");
    }

    [Fact]
    public async Task Get_book_has_the_average_the_count_and_the_users_own_stars()
    {
        await _service.RateBook(new RateBookRequest { UserId = 1, BookId = 5, Stars = 4 }, _context);
        await _service.RateBook(new RateBookRequest { UserId = 2, BookId = 5, Stars = 5 }, _context);

        var response = await _service.GetBook(new GetBookRequest { BookId = 5, UserId = 2 }, _context);
        var anonymous = await _service.GetBook(new GetBookRequest { BookId = 5 }, _context);

        Assert.Equal("Ender's Game", response.Book.Title);
        Assert.Equal("Orson Scott Card", response.Book.Author);
        Assert.Equal(BookCategory.ScienceFiction, response.Book.Category);
        Assert.Equal(4.5, response.Book.AverageRating);
        Assert.Equal(2, response.Book.RatingCount);
        Assert.Equal(5, response.UserStars);
        Assert.Equal(0, anonymous.UserStars);
    }

    [Fact]
    public async Task Rating_again_replaces_the_earlier_rating_so_a_retry_counts_once()
    {
        var request = new RateBookRequest { UserId = 7, BookId = 3, Stars = 2 };
        await _service.RateBook(request, _context);
        var retried = await _service.RateBook(request, _context);
        var changed = await _service.RateBook(new RateBookRequest { UserId = 7, BookId = 3, Stars = 4 }, _context);

        Assert.Equal(1, retried.Book.RatingCount);
        Assert.Equal(2, retried.Book.AverageRating);
        Assert.Equal(1, changed.Book.RatingCount);
        Assert.Equal(4, changed.Book.AverageRating);
        Assert.Equal(1, await _catalog.QueryAsync(db => db.Ratings.CountAsync(r => r.UserId == 7)));
    }

    [Fact]
    public async Task Unknown_category_is_not_found()
    {
        var exception = await Assert.ThrowsAsync<CategoryNotFoundException>(() =>
            _service.Recommend(new RecommendationRequest { Category = (BookCategory)7, MaxResults = 3 }, _context));

        Assert.Equal(StatusCode.NotFound, exception.StatusCode);
        Assert.Equal("Category not found", exception.Message);
    }

    [Fact]
    public async Task Unknown_book_is_not_found_and_nothing_is_written()
    {
        var get = await Assert.ThrowsAsync<BookNotFoundException>(() => _service.GetBook(new GetBookRequest { BookId = 999 }, _context));
        var rate = await Assert.ThrowsAsync<BookNotFoundException>(() => _service.RateBook(new RateBookRequest { UserId = 1, BookId = 999, Stars = 3 }, _context));

        Assert.Equal(StatusCode.NotFound, get.StatusCode);
        Assert.Equal("Book 999 not found", rate.Message);
        Assert.Equal(0, await _catalog.QueryAsync(db => db.Ratings.CountAsync()));
    }

    [Theory]
    [InlineData(0, -1, "max_results")]
    [InlineData(0, 101, "max_results")]
    [InlineData(-1, 3, "user_id")]
    public async Task Out_of_range_arguments_are_invalid(int userId, int maxResults, string field)
    {
        var exception = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            _service.Recommend(new RecommendationRequest { UserId = userId, Category = BookCategory.Mystery, MaxResults = maxResults }, _context));

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
        Assert.StartsWith(field, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 0, "stars must be between 1 and 5, got 0.")]
    [InlineData(1, 6, "stars must be between 1 and 5, got 6.")]
    [InlineData(-1, 3, "user_id must be 0 or more, got -1.")]
    public async Task Invalid_ratings_are_refused_and_nothing_is_written(int userId, int stars, string message)
    {
        var exception = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            _service.RateBook(new RateBookRequest { UserId = userId, BookId = 1, Stars = stars }, _context));

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
        Assert.Equal(message, exception.Message);
        Assert.Equal(0, await _catalog.QueryAsync(db => db.Ratings.CountAsync()));
    }

    [Fact]
    public async Task A_negative_user_on_get_book_is_invalid() =>
        Assert.Equal(StatusCode.InvalidArgument,
            (await Assert.ThrowsAsync<InvalidRequestException>(() => _service.GetBook(new GetBookRequest { BookId = 1, UserId = -3 }, _context))).StatusCode);
}
