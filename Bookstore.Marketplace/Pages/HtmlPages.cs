using System.Text;
using System.Text.Encodings.Web;
using Bookstore.Marketplace.Recommending;

namespace Bookstore.Marketplace.Pages;

/// <summary>
/// The Marketplace's HTML: one layout (title, header with the category links) around the body of each page.
/// Every text that comes from data (titles, slugs, request ids) is HTML-encoded; the rest is constant.
/// </summary>
public static class HtmlPages
{
    public const string Title = "Online Books For You";

    // The layout does not depend on the request: built once.
    private static readonly string LayoutStart = BuildLayoutStart();
    private const string LayoutEnd = "    </main>\n</body>\n</html>\n";

    public static string Category(CategoryPage page, RecommendationResult result)
    {
        var html = Begin();
        html.Append("        <h1>").Append(Encode(page.Heading)).Append("</h1>\n");
        if (result.Unavailable)
        {
            html.Append("        <p class=\"notice\" role=\"status\">Recommendations are unavailable right now. Please try again in a moment.</p>\n");
        }
        else
        {
            html.Append("        <ul class=\"books\">\n");
            foreach (var book in result.Books)
            {
                html.Append("            <li data-book-id=\"").Append(book.Id).Append("\">").Append(Encode(book.Title)).Append("</li>\n");
            }

            html.Append("        </ul>\n");
        }

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

    private static StringBuilder Begin() => new StringBuilder(1024).Append(LayoutStart);

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
            .Append("        </nav>\n    </header>\n    <main>\n")
            .ToString();
    }
}
