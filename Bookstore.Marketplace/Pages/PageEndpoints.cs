using System.Diagnostics;
using Bookstore.Marketplace.Recommending;

namespace Bookstore.Marketplace.Pages;

/// <summary>
/// The pages as minimal API endpoints that answer with the HTML of <see cref="HtmlPages"/>. (They were Razor Pages:
/// for three pages without forms, MVC's page pipeline, view engine, antiforgery and Data Protection cost a fifth of the
/// home page's CPU, about 20 MiB and 80 ms of start-up; README, "Performance".)
/// </summary>
public static class PageEndpoints
{
    /// <summary>Where the exception handler sends a request that failed (Production).</summary>
    public const string ErrorPath = "/error";

    private const string HtmlContentType = "text/html; charset=utf-8";

    public static WebApplication MapPages(this WebApplication app)
    {
        app.MapGet("/", (BookRecommender recommender, CancellationToken cancellationToken) =>
            CategoryAsync(Categories.Mystery, recommender, cancellationToken));

        app.MapGet("/category/{slug}", (string slug, BookRecommender recommender, CancellationToken cancellationToken) =>
            Categories.FindBySlug(slug) is { } page
                ? CategoryAsync(page, recommender, cancellationToken)
                : Task.FromResult(Results.Content(HtmlPages.CategoryNotFound(slug), HtmlContentType, statusCode: StatusCodes.Status404NotFound)));

        // Any method: the exception handler re-executes the failed request, whatever its method, on this path.
        app.Map(ErrorPath, (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return Results.Content(HtmlPages.Error(Activity.Current?.Id ?? context.TraceIdentifier), HtmlContentType);
        });
        return app;
    }

    private static async Task<IResult> CategoryAsync(CategoryPage page, BookRecommender recommender, CancellationToken cancellationToken) =>
        Results.Content(HtmlPages.Category(page, await recommender.RecommendAsync(page.Category, cancellationToken)), HtmlContentType);
}
