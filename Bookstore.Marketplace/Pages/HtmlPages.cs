using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Bookstore.Marketplace.Books;
using Bookstore.Marketplace.Recommending;

namespace Bookstore.Marketplace.Pages;

/// <summary>
/// The Marketplace's HTML: one layout (title, header with the category links) around the body of each page.
/// Every text that comes from data (titles, authors, slugs, request ids, tokens) is HTML-encoded; the rest is constant.
/// </summary>
public static class HtmlPages
{
    public const string Title = "Online Books For You";
    public const string UnavailableNotice = "Recommendations are unavailable right now. Please try again in a moment.";
    public const string BookUnavailableNotice = "This book cannot be shown right now. Please try again in a moment.";
    public const string RatingNotSavedNotice = "Your rating could not be saved right now. Please send it again in a moment (sending it twice counts once).";
    public const string RatingSavedNotice = "Thank you: your rating is saved.";

    // The layout does not depend on the request: built once.
    private static readonly string LayoutStart = BuildLayoutStart();
    private const string LayoutEnd = "    </main>\n</body>\n</html>\n";

    /// <summary>A category page; <c>books</c> has each recommended book as the cache knew it (null: the title only).</summary>
    public static string Category(CategoryPage page, RecommendationResult result, IReadOnlyList<BookInfo?> books)
    {
        var html = Begin();
        html.Append("        <h1>").Append(Encode(page.Heading)).Append("</h1>\n");
        if (result.Unavailable)
        {
            html.Append("        <p class=\"notice\" role=\"status\">").Append(UnavailableNotice).Append("</p>\n");
        }
        else
        {
            html.Append("        <ul class=\"books\">\n");
            for (var i = 0; i < result.Books.Count; i++)
            {
                var book = result.Books[i];
                html.Append("            <li data-book-id=\"").Append(book.Id).Append("\"><a href=\"/books/").Append(book.Id).Append("\">")
                    .Append(Encode(book.Title)).Append("</a>");
                if (i < books.Count && books[i] is { } info)
                {
                    html.Append(" <span class=\"author\">by ").Append(Encode(info.Author)).Append("</span> ");
                    AppendRating(html, info);
                }

                html.Append("</li>\n");
            }

            html.Append("        </ul>\n");
        }

        return End(html);
    }

    /// <summary>A book page with its rating form; <c>notice</c> is a line above the form, or null.</summary>
    public static string Book(BookInfo book, int userStars, string formFieldName, string? antiforgeryToken, string? notice)
    {
        var html = Begin();
        html.Append("        <article class=\"book\" data-book-id=\"").Append(book.Id).Append("\">\n")
            .Append("            <h1>").Append(Encode(book.Title)).Append("</h1>\n")
            .Append("            <p class=\"author\">by ").Append(Encode(book.Author)).Append("</p>\n");
        if (Categories.Find(book.Category) is { } category)
        {
            html.Append("            <p>In <a href=\"/category/").Append(Encode(category.Slug)).Append("\">").Append(Encode(category.Name)).Append("</a></p>\n");
        }

        html.Append("            <p>");
        AppendRating(html, book);
        html.Append("</p>\n");
        if (notice is not null)
        {
            html.Append("            <p class=\"notice\" role=\"status\">").Append(Encode(notice)).Append("</p>\n");
        }

        html.Append("            <p class=\"your-rating\">")
            .Append(userStars == 0 ? "You have not rated this book yet." : $"Your rating: {userStars} of 5.")
            .Append("</p>\n");
        html.Append("            <form method=\"post\" action=\"/books/").Append(book.Id).Append("/rating\" class=\"rate\">\n")
            .Append("                <input type=\"hidden\" name=\"").Append(Encode(formFieldName)).Append("\" value=\"").Append(Encode(antiforgeryToken ?? "")).Append("\" />\n")
            .Append("                <fieldset>\n                    <legend>Rate this book</legend>\n");
        for (var stars = 1; stars <= 5; stars++)
        {
            html.Append("                    <label><input type=\"radio\" name=\"stars\" value=\"").Append(stars).Append('"')
                .Append(stars == userStars ? " checked" : "").Append(" required /> ").Append(stars).Append("</label>\n");
        }

        html.Append("                </fieldset>\n                <button type=\"submit\">Save my rating</button>\n            </form>\n")
            .Append("        </article>\n");
        return End(html);
    }

    public static string Message(string heading, string message)
    {
        var html = Begin();
        html.Append("        <h1>").Append(Encode(heading)).Append("</h1>\n")
            .Append("        <p class=\"notice\" role=\"status\">").Append(Encode(message)).Append("</p>\n");
        return End(html);
    }

    public static string CategoryNotFound(string slug)
    {
        var html = Begin();
        html.Append("        <h1>No such category</h1>\n")
            .Append("        <p>There is no category \u201c").Append(Encode(slug)).Append("\u201d. Pick one above.</p>\n");
        return End(html);
    }

    public static string Error(string requestId)
    {
        var html = Begin();
        html.Append("        <h1>Something went wrong</h1>\n")
            .Append("        <p>The page could not be shown. Please try again in a moment.</p>\n")
            .Append("        <p>Request id: <code>").Append(Encode(requestId)).Append("</code></p>\n");
        return End(html);
    }

    private static void AppendRating(StringBuilder html, BookInfo book)
    {
        html.Append("<span class=\"rating\">");
        if (book.RatingCount == 0)
        {
            html.Append("Not rated yet");
        }
        else
        {
            html.Append(book.AverageRating.ToString("0.0", CultureInfo.InvariantCulture)).Append(" of 5 from ")
                .Append(book.RatingCount).Append(book.RatingCount == 1 ? " rating" : " ratings");
        }

        html.Append("</span>");
    }

    private static StringBuilder Begin() => new StringBuilder(2048).Append(LayoutStart);

    private static string End(StringBuilder html) => html.Append(LayoutEnd).ToString();

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);

    private static string BuildLayoutStart()
    {
        var html = new StringBuilder()
            .Append("<!doctype html>\n<html lang=\"en\">\n<head>\n")
            .Append("    <meta charset=\"utf-8\" />\n")
            .Append("    <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n")
            .Append("    <title>").Append(Title).Append("</title>\n")
            .Append("    <link rel=\"stylesheet\" href=\"/css/site.css\" />\n")
            .Append("</head>\n<body>\n    <header>\n")
            .Append("        <a class=\"brand\" href=\"/\">").Append(Title).Append("</a>\n")
            .Append("        <nav aria-label=\"Categories\">\n");
        foreach (var category in Categories.All)
        {
            html.Append("            <a href=\"/category/").Append(Encode(category.Slug)).Append("\">").Append(Encode(category.Name)).Append("</a>\n");
        }

        return html
            .Append("            <a href=\"/about.html\">About</a>\n")
            .Append("            <a href=\"/scalar/v1\">API</a>\n")
            .Append("        </nav>\n    </header>\n    <main>\n")
            .ToString();
    }
}
