using System.Globalization;
using System.Security.Cryptography;

namespace Bookstore.Marketplace.Books;

/// <summary>
/// The anonymous visitor: a random user id (the contract's int32) kept in a cookie for a year. It is what Recommend
/// skips books by and what a rating is recorded under; there is no sign-in, so it identifies a browser, not a person.
/// </summary>
public static class Visitor
{
    public const string CookieName = "bookstore-visitor";

    /// <summary>The visitor's id, or null before the first page that issues one.</summary>
    public static int? Find(HttpContext context) =>
        context.Request.Cookies.TryGetValue(CookieName, out var value)
        && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : null;

    /// <summary>The visitor's id; a new one (and its cookie) on the first visit.</summary>
    public static int GetOrIssue(HttpContext context)
    {
        if (Find(context) is { } id)
        {
            return id;
        }

        id = RandomNumberGenerator.GetInt32(1, int.MaxValue);
        context.Response.Cookies.Append(CookieName, id.ToString(CultureInfo.InvariantCulture), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            MaxAge = TimeSpan.FromDays(365),
            IsEssential = true,
        });
        return id;
    }
}
