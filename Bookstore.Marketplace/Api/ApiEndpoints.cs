using System.ComponentModel;
using Bookstore.Marketplace.Books;
using Bookstore.Marketplace.Recommending;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bookstore.Marketplace.Api;

public sealed record BookSummary(int Id, string Title);

public sealed record RecommendationsResponse(string Category, IReadOnlyList<BookSummary> Books);

public sealed record BookResponse(int Id, string Title, string Author, string Category, double AverageRating, int RatingCount)
{
    public static BookResponse From(BookInfo book) =>
        new(book.Id, book.Title, book.Author, Categories.Find(book.Category)?.Slug ?? book.Category.ToString(), book.AverageRating, book.RatingCount);
}

public sealed record RatingRequest(
    [property: Description("Whose rating this is: 0 or more (the Marketplace's pages use the visitor's id).")] int? UserId,
    [property: Description("1 to 5.")] int? Stars);

/// <summary>
/// The JSON API, described by the OpenAPI document at /openapi/v1.json (reference pages: /scalar/v1, /swagger). Invalid
/// input gets 400 with problem details naming the field; when Recommendations is down, 503 with problem details and
/// Retry-After, never a 500.
/// </summary>
public static class ApiEndpoints
{
    public const int RetryAfterSeconds = 5;

    public static WebApplication MapApi(this WebApplication app)
    {
        var api = app.MapGroup("/api").WithTags("Bookstore");

        api.MapGet("/recommendations", RecommendationsAsync)
            .WithName("GetRecommendations")
            .WithSummary("Books of a category for a user, picked at random with well-rated books preferred (never cached).")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapGet("/books/{id:int}", BookAsync)
            .WithName("GetBook")
            .WithSummary("A book with its average rating.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapPost("/books/{id:int}/ratings", RateAsync)
            .WithName("RateBook")
            .WithSummary("Rates a book for a user; rating again replaces the earlier rating, so a retry counts once.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<Results<Ok<RecommendationsResponse>, ValidationProblem, ProblemHttpResult>> RecommendationsAsync(
        [Description("A category slug: mystery, science-fiction or self-help.")] string? category,
        [Description("How many books, 1 to 100 (default 3).")] int? max,
        [Description("Whose recommendations: books this user rated are skipped (default 0).")] int? userId,
        BookRecommender recommender, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var page = category is null ? null : Categories.FindBySlug(category);
        if (page is null)
        {
            errors["category"] = [$"category must be one of {string.Join(", ", Categories.All.Select(c => c.Slug))}."];
        }

        if (max is < 1 or > 100)
        {
            errors["max"] = ["max must be between 1 and 100."];
        }

        if (userId < 0)
        {
            errors["userId"] = ["userId must be 0 or more."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var result = await recommender.RecommendAsync(page!.Category, userId ?? 0, cancellationToken, max ?? 3);
        if (result.Unavailable)
        {
            return Unavailable(context);
        }

        return TypedResults.Ok(new RecommendationsResponse(page.Slug, [.. result.Books.Select(b => new BookSummary(b.Id, b.Title))]));
    }

    private static async Task<Results<Ok<BookResponse>, ProblemHttpResult>> BookAsync(int id, BookClient books, HttpContext context, CancellationToken cancellationToken)
    {
        var result = await books.GetAsync(id, cancellationToken);
        return result.Status switch
        {
            BookCallStatus.Ok => TypedResults.Ok(BookResponse.From(result.Book!)),
            BookCallStatus.NotFound => NotFound(id),
            _ => Unavailable(context),
        };
    }

    private static async Task<Results<Ok<BookResponse>, ValidationProblem, ProblemHttpResult>> RateAsync(
        int id, RatingRequest rating, BookClient books, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (rating.UserId is null or < 0)
        {
            errors["userId"] = ["userId is required and must be 0 or more."];
        }

        if (rating.Stars is null or < 1 or > 5)
        {
            errors["stars"] = ["stars is required and must be between 1 and 5."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var result = await books.RateAsync(id, rating.UserId!.Value, rating.Stars!.Value, cancellationToken);
        return result.Status switch
        {
            BookCallStatus.Ok => TypedResults.Ok(BookResponse.From(result.Book!)),
            BookCallStatus.NotFound => NotFound(id),
            BookCallStatus.Invalid => TypedResults.Problem(result.Error, statusCode: StatusCodes.Status400BadRequest, title: "Invalid rating"),
            _ => Unavailable(context),
        };
    }

    private static ProblemHttpResult NotFound(int id) =>
        TypedResults.Problem($"There is no book {id}.", statusCode: StatusCodes.Status404NotFound, title: "Book not found");

    private static ProblemHttpResult Unavailable(HttpContext context)
    {
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            "Recommendations is unavailable right now. Try again after the Retry-After delay; sending a rating again is safe.",
            statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable");
    }
}
