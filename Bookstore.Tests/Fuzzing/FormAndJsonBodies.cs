using System.Text;
using System.Text.RegularExpressions;

namespace Bookstore.Tests.Fuzzing;

/// <summary>
/// Malformed bodies on well-formed HTTP to the Marketplace's two writers: the rating form (/books/{id}/rating, with a
/// valid antiforgery token more often than not, so that the parsing behind it is reached) and the JSON API
/// (/api/books/{id}/ratings): invalid JSON and UTF-8, wrong types, huge numbers, deep nesting, broken
/// percent-encoding, too many or too long fields, lying or unusual content types, multipart with broken boundaries.
/// </summary>
public static partial class FormAndJsonBodies
{
    private static readonly string[] Ids = ["1", "2", "10", "0", "-1", "2147483647", "99999999999", "abc"];

    private static readonly string[] JsonBodies =
    [
        "{\"userId\":1,\"stars\":4}", "{\"userId\":\"1\",\"stars\":\"4\"}", "{\"userId\":1.5,\"stars\":4e0}", "{\"userId\":1e400,\"stars\":1}",
        "{\"userId\":-1,\"stars\":99}", "{\"userId\":null,\"stars\":null}", "{}", "[]", "null", "\"text\"", "{\"userId\":1,\"stars\":4,}",
        "{\"userId\":1,\"stars\":4} trailing", "{\"userId\":1 \"stars\":4}", "{\"userId\":1,\"userId\":2,\"stars\":3}", "{'userId':1}",
        "{\"userId\":1, /* comment */ \"stars\":2}", "{\"userId\":NaN,\"stars\":Infinity}", "{\"stars\":[1,2,3],\"userId\":{}}", "{\"",
        "\uFEFF{\"userId\":1,\"stars\":2}", "{\"userId\":99999999999999999999,\"stars\":3}", "{\"userId\":0x10,\"stars\":3}",
    ];

    private static readonly string[] FormBodies =
    [
        "stars=4", "stars=0", "stars=6", "stars=-1", "stars=4.5", "stars=", "stars", "=4", "&&&&", "stars=%zz", "stars=%F0%28%8C%BC",
        "stars=4&stars=5", "stars=99999999999999999999", "st%00ars=4", "stars=4;other=1", "stars=+4+", "stars=%2B4",
    ];

    private static readonly string?[] JsonTypes = ["application/json", "application/json; charset=utf-8", "application/json; charset=utf-16", "text/json", "application/problem+json", "text/plain", "application/xml", null];

    private static readonly string?[] FormTypes = ["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=garbage", "multipart/form-data; boundary=xyz", "multipart/form-data", "text/plain", null];

    /// <summary>The antiforgery cookie (with the visitor's) and form token of a book page.</summary>
    public sealed record Antiforgery(string Cookie, string FieldName, string Token);

    public static async Task<Antiforgery> ReadAntiforgeryAsync(HttpClient http, CancellationToken cancellationToken, string bookPage = "/books/1")
    {
        using var page = await http.GetAsync(bookPage, cancellationToken);
        page.EnsureSuccessStatusCode();
        var html = await page.Content.ReadAsStringAsync(cancellationToken);
        var field = HiddenField().Match(html);
        var cookies = page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]);
        return new(string.Join("; ", cookies), System.Net.WebUtility.HtmlDecode(field.Groups["name"].Value), System.Net.WebUtility.HtmlDecode(field.Groups["value"].Value));
    }

    public static async Task<(FuzzOutcome, byte[])> SendAsync(HttpClient http, Antiforgery antiforgery, Random random, CancellationToken cancellationToken)
    {
        var form = random.Next(2) == 0;
        var id = random.Next(5) == 0 ? Ids[random.Next(Ids.Length)] : random.Next(1, 4).ToString(System.Globalization.CultureInfo.InvariantCulture);
        byte[] body;
        string? contentType;
        if (form)
        {
            var fields = FormBodies[random.Next(FormBodies.Length)];
            if (random.Next(4) != 0)
            {
                var token = random.Next(6) == 0 ? Mutator.AwkwardText(random) : antiforgery.Token;
                fields += $"&{Uri.EscapeDataString(antiforgery.FieldName)}={Uri.EscapeDataString(token)}";
            }

            body = Encoding.UTF8.GetBytes(random.Next(6) switch
            {
                0 => string.Join('&', Enumerable.Range(0, random.Next(20, 2000)).Select(i => $"f{i}=x")) + "&" + fields,
                1 => $"{fields}&note={new string('a', random.Next(1_000, 70_000))}",
                2 => $"--xyz\r\nContent-Disposition: form-data; name=\"stars\"\r\n\r\n4\r\n--xy",
                _ => fields,
            });
            contentType = random.Next(4) == 0 ? FormTypes[random.Next(FormTypes.Length)] : "application/x-www-form-urlencoded";
        }
        else
        {
            body = random.Next(8) switch
            {
                0 => Encoding.UTF8.GetBytes(new string('[', random.Next(60, 20_000)) + new string(']', random.Next(0, 100))),
                1 => [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D],   // {"\xC3(":1}: invalid UTF-8
                2 => Encoding.UTF8.GetBytes($"{{\"userId\":1,\"stars\":3,\"note\":\"{Mutator.AwkwardText(random).Replace("\"", "", StringComparison.Ordinal)}\"}}"),
                _ => Encoding.UTF8.GetBytes(JsonBodies[random.Next(JsonBodies.Length)]),
            };
            contentType = random.Next(4) == 0 ? JsonTypes[random.Next(JsonTypes.Length)] : "application/json";
        }

        if (random.Next(3) == 0)
        {
            body = Mutator.Mutate(body, random);
        }

        var path = form ? $"/books/{id}/rating" : $"/api/books/{id}/ratings";
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        // A connection of its own: a kept-alive connection that the server closes after a bad body (as it may) would
        // fail the next input sent on it, for nothing that input did.
        request.Headers.ConnectionClose = true;
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        if (form)
        {
            request.Headers.TryAddWithoutValidation("Cookie", random.Next(8) == 0 ? $"bookstore-visitor={Mutator.AwkwardText(random)}" : antiforgery.Cookie);
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            var label = $"{(form ? "form" : "json")} http {status}";
            return (status >= 500 ? FuzzOutcome.Fail(label, $"{path} HTTP {status}: {await response.Content.ReadAsStringAsync(cancellationToken)}") : new(label), body);
        }
        catch (HttpRequestException exception)
        {
            return (FuzzOutcome.Fail("no answer", $"{path}: {exception.Message} {exception.InnerException?.Message}"), body);
        }
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\"")]
    private static partial Regex HiddenField();
}
