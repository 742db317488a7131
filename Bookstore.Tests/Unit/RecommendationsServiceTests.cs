using Bookstore.Protos;
using Bookstore.Recommendations.Catalog;
using Bookstore.Recommendations.Recommending;
using Grpc.Core;

namespace Bookstore.Tests.Unit;

/// <summary>The service's logic called in-process, as the seed tutorial's tests do.</summary>
public sealed class RecommendationsServiceTests
{
    private readonly RecommendationsService _service = new(new InMemoryBookCatalog());
    private readonly FakeServerCallContext _context = new();

    [Theory]
    [InlineData(BookCategory.Mystery)]
    [InlineData(BookCategory.ScienceFiction)]
    [InlineData(BookCategory.SelfHelp)]
    public async Task Recommends_the_requested_number_of_distinct_books_of_the_category(BookCategory category)
    {
        var response = await _service.Recommend(new RecommendationRequest { UserId = 1, Category = category, MaxResults = 3 }, _context);

        Assert.Equal(3, response.Recommendations.Count);
        Assert.Equal(3, response.Recommendations.Select(book => book.Id).Distinct().Count());
        var inCategory = InMemoryBookCatalog.Books.Where(book => book.Category == category).ToDictionary(book => book.Id);
        Assert.All(response.Recommendations, book => Assert.Equal(inCategory[book.Id].Title, book.Title));
    }

    [Fact]
    public async Task Max_results_zero_means_the_default_of_three()
    {
        var response = await _service.Recommend(new RecommendationRequest { UserId = 1, Category = BookCategory.Mystery }, _context);

        Assert.Equal(RecommendationRequestValidator.DefaultMaxResults, response.Recommendations.Count);
    }

    [Fact]
    public async Task Asking_for_more_books_than_the_category_has_returns_all_of_them_once()
    {
        var response = await _service.Recommend(new RecommendationRequest { UserId = 1, Category = BookCategory.SelfHelp, MaxResults = 100 }, _context);

        var expected = InMemoryBookCatalog.Books.Where(book => book.Category == BookCategory.SelfHelp).Select(book => book.Id).Order();
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
    public async Task Unknown_category_is_not_found()
    {
        var exception = await Assert.ThrowsAsync<CategoryNotFoundException>(() =>
            _service.Recommend(new RecommendationRequest { Category = (BookCategory)7, MaxResults = 3 }, _context));

        Assert.Equal(StatusCode.NotFound, exception.StatusCode);
        Assert.Equal("Category not found", exception.Message);
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
}
