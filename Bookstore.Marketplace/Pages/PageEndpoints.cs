using System.Diagnostics;
using Bookstore.Marketplace.Books;
using Bookstore.Marketplace.Recommending;
using Microsoft.AspNetCore.Antiforgery;

namespace Bookstore.Marketplace.Pages;

/// <summary>
/// The pages as minimal API endpoints that answer with the HTML of <see cref="HtmlPages"/>. (They were Razor Pages:
/// MVC's page pipeline and view engine cost a fifth of the home page's CPU, about 20 MiB and 80 ms of start-up; README,
/// "Performance".) A page whose data Recommendations cannot give right now still answers 200 with a notice.
/// </summary>
public static class PageEndpoints
{
    /// <summary>Where the exception handler sends a request that failed (Production).</summary>
    public const string ErrorPath = "/error";

    private const string HtmlContentType = "text/html; charset=utf-8";

    public static WebApplication MapPages(this WebApplication app)
    {
        var pages = app.MapGroup("").ExcludeFromDescription();   // HTML, not part of the JSON API's description
        pages.MapGet("/", (HttpContext context, BookRecommender recommender, BookClient books, CancellationToken cancellationToken) =>
            CategoryAsync(context, Categories.Mystery, recommender, books, cancellationToken));

        pages.MapGet("/category/{slug}", (string slug, HttpContext context, BookRecommender recommender, BookClient books, CancellationToken cancellationToken) =>
            Categories.FindBySlug(slug) is { } page
                ? CategoryAsync(context, page, recommender, books, cancellationToken)
                : Task.FromResult(Html(HtmlPages.CategoryNotFound(slug), StatusCodes.Status404NotFound)));

        pages.MapGet("/books/{id:int}", BookAsync);
        pages.MapPost("/books/{id:int}/rating", RateAsync);

        // Any method: the exception handler re-executes the failed request, whatever its method, on this path.
        pages.Map(ErrorPath, (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return Results.Content(HtmlPages.Error(Activity.Current?.Id ?? context.TraceIdentifier), HtmlContentType);
        });
        return app;
    }

    private static async Task<IResult> CategoryAsync(
        HttpContext context, CategoryPage page, BookRecommender recommender, BookClient books, CancellationToken cancellationToken)
    {
        var result = await recommender.RecommendAsync(page.Category, Visitor.GetOrIssue(context), cancellationToken);
        // Author and rating of each book, from the cache (Recommend gives ids and titles): a book the cache cannot get
        // right now is shown with its title only.
        // One after the other: hits complete at once, without a task each.
        var details = new BookInfo?[result.Books.Count];
        for (var i = 0; i < details.Length; i++)
        {
            details[i] = await books.GetAsync(result.Books[i].Id, cancellationToken) is { Status: BookCallStatus.Ok, Book: var info } ? info : null;
        }

        return Html(HtmlPages.Category(page, result, details));
    }

    private static async Task<IResult> BookAsync(int id, HttpContext context, BookClient books, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        var visitor = Visitor.GetOrIssue(context);
        var result = await books.GetForVisitorAsync(id, visitor, cancellationToken);
        var notice = context.Request.Query.ContainsKey("rated") ? HtmlPages.RatingSavedNotice : null;
        return BookPage(context, result, antiforgery, notice, StatusCodes.Status200OK);
    }

    // The form carries an antiforgery token, checked here before the form is read. (With [FromForm] binding and the
    // antiforgery middleware, a missing token threw from the generated request delegate: a 500, not a 400.)
    private static async Task<IResult> RateAsync(int id, HttpContext context, BookClient books, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        if (!context.Request.HasFormContentType)
        {
            return Html(HtmlPages.Message("Rating not saved", "This form has expired. Reload the book's page and rate it again."), StatusCodes.Status400BadRequest);
        }

        // Read within the limits (RequestLimitsExtensions, Kestrel:Limits) before the antiforgery check, which would
        // otherwise call a form over them "expired".
        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(cancellationToken);
        }
        catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Html(HtmlPages.Message("Rating not saved", "The form sent was larger than a rating can be."), StatusCodes.Status413PayloadTooLarge);
        }
        catch (InvalidDataException)
        {
            return Html(HtmlPages.Message("Rating not saved", "The form sent had more or longer fields than a rating has."), StatusCodes.Status400BadRequest);
        }
        catch (Exception broken) when (broken is IOException or BadHttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            // A body that ends before its framing says (e.g. "multipart/form-data" with no closing boundary): found by
            // the fuzz tests, a 500 before.
            return Html(HtmlPages.Message("Rating not saved", "The form sent was cut off or malformed. Reload the book's page and rate it again."), StatusCodes.Status400BadRequest);
        }

        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Html(HtmlPages.Message("Rating not saved", "This form has expired. Reload the book's page and rate it again."), StatusCodes.Status400BadRequest);
        }

        var visitor = Visitor.GetOrIssue(context);
        if (!int.TryParse(form["stars"], out var value) || value is < 1 or > 5)
        {
            return Html(HtmlPages.Message("Rating not saved", "Pick 1 to 5 stars, then save your rating."), StatusCodes.Status400BadRequest);
        }

        var result = await books.RateAsync(id, visitor, value, cancellationToken);
        if (result.Status == BookCallStatus.Ok)
        {
            // Post/Redirect/Get: reloading the page does not send the form again.
            return Results.Redirect($"/books/{id}?rated=1", permanent: false, preserveMethod: false);
        }

        if (result.Status == BookCallStatus.Unavailable)
        {
            context.Response.Headers.RetryAfter = "5";
            return Html(HtmlPages.Message("Rating not saved", HtmlPages.RatingNotSavedNotice), StatusCodes.Status503ServiceUnavailable);
        }

        return BookPage(context, result, antiforgery, notice: null, StatusCodes.Status200OK);
    }

    private static IResult BookPage(HttpContext context, BookResult result, IAntiforgery antiforgery, string? notice, int status)
    {
        switch (result.Status)
        {
            case BookCallStatus.Ok:
                var tokens = antiforgery.GetAndStoreTokens(context);
                return Html(HtmlPages.Book(result.Book!, result.UserStars, tokens.FormFieldName, tokens.RequestToken, notice), status);
            case BookCallStatus.NotFound:
                return Html(HtmlPages.Message("No such book", "There is no such book. Pick a category above."), StatusCodes.Status404NotFound);
            case BookCallStatus.Invalid:
                return Html(HtmlPages.Message("No such book", result.Error ?? "The request was not valid."), StatusCodes.Status400BadRequest);
            default:
                return Html(HtmlPages.Message("Book unavailable", HtmlPages.BookUnavailableNotice));
        }
    }

    private static IResult Html(string html, int status = StatusCodes.Status200OK) => Results.Content(html, HtmlContentType, statusCode: status);
}
