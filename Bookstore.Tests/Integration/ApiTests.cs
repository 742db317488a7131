using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bookstore.Tests.Infrastructure;

namespace Bookstore.Tests.Integration;

/// <summary>The Marketplace's JSON API and its OpenAPI document, on the real processes.</summary>
public sealed class ApiTests(RunningServices services) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = services.Marketplace.BaseAddress };

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Recommendations_come_as_json()
    {
        using var json = await GetJsonAsync("/api/recommendations?category=self-help&max=4", HttpStatusCode.OK);

        Assert.Equal("self-help", json.RootElement.GetProperty("category").GetString());
        var books = json.RootElement.GetProperty("books").EnumerateArray().ToList();
        Assert.Equal(4, books.Count);
        Assert.All(books, book => Assert.False(string.IsNullOrEmpty(book.GetProperty("title").GetString())));
    }

    [Theory]
    [InlineData("/api/recommendations?category=cookbooks", "category")]
    [InlineData("/api/recommendations", "category")]
    [InlineData("/api/recommendations?category=mystery&max=0", "max")]
    [InlineData("/api/recommendations?category=mystery&max=101", "max")]
    [InlineData("/api/recommendations?category=mystery&userId=-1", "userId")]
    public async Task Invalid_queries_get_400_problem_details_naming_the_field(string path, string field)
    {
        using var json = await GetJsonAsync(path, HttpStatusCode.BadRequest);

        Assert.Equal(400, json.RootElement.GetProperty("status").GetInt32());
        Assert.True(json.RootElement.GetProperty("errors").TryGetProperty(field, out _), json.RootElement.ToString());
    }

    [Fact]
    public async Task A_book_comes_as_json_and_an_unknown_one_is_404_problem_details()
    {
        using var book = await GetJsonAsync("/api/books/1", HttpStatusCode.OK);
        using var missing = await GetJsonAsync("/api/books/4040", HttpStatusCode.NotFound);

        Assert.Equal("The Maltese Falcon", book.RootElement.GetProperty("title").GetString());
        Assert.Equal("Dashiell Hammett", book.RootElement.GetProperty("author").GetString());
        Assert.Equal("mystery", book.RootElement.GetProperty("category").GetString());
        Assert.Equal("There is no book 4040.", missing.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_rating_is_counted_once_however_often_it_is_sent()
    {
        var user = Random.Shared.Next(1_000_000, int.MaxValue);
        using var first = await PostJsonAsync("/api/books/12/ratings", new { userId = user, stars = 2 }, HttpStatusCode.OK);
        var count = first.RootElement.GetProperty("ratingCount").GetInt32();

        using var again = await PostJsonAsync("/api/books/12/ratings", new { userId = user, stars = 5 }, HttpStatusCode.OK);

        Assert.Equal(count, again.RootElement.GetProperty("ratingCount").GetInt32());
        using var book = await GetJsonAsync("/api/books/12", HttpStatusCode.OK);
        Assert.Equal(count, book.RootElement.GetProperty("ratingCount").GetInt32());
    }

    [Theory]
    [InlineData("{\"userId\": 1, \"stars\": 6}", "stars")]
    [InlineData("{\"userId\": 1, \"stars\": 0}", "stars")]
    [InlineData("{\"userId\": 1}", "stars")]
    [InlineData("{\"userId\": -2, \"stars\": 3}", "userId")]
    [InlineData("{\"stars\": 3}", "userId")]
    public async Task Invalid_ratings_get_400_problem_details_naming_the_field(string body, string field)
    {
        using var json = await PostJsonAsync("/api/books/1/ratings", body, HttpStatusCode.BadRequest);

        Assert.True(json.RootElement.GetProperty("errors").TryGetProperty(field, out _), json.RootElement.ToString());
    }

    [Fact]
    public async Task A_body_that_is_not_json_gets_400_problem_details()
    {
        using var response = await _http.PostAsync("/api/books/1/ratings", new StringContent("{stars", System.Text.Encoding.UTF8, "application/json"), Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Rating_an_unknown_book_is_404()
    {
        using var json = await PostJsonAsync("/api/books/4040/ratings", new { userId = 1, stars = 3 }, HttpStatusCode.NotFound);

        Assert.Equal("Book not found", json.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task With_recommendations_down_every_endpoint_answers_503_with_retry_after_not_500()
    {
        await using var recommendations = await ServiceProcess.StartRecommendationsAsync();
        await using var marketplace = await ServiceProcess.StartMarketplaceAsync(recommendations.BaseAddress);
        using var http = new HttpClient { BaseAddress = marketplace.BaseAddress };
        recommendations.Signal();
        Assert.Equal(0, await recommendations.WaitForExitAsync(TimeSpan.FromSeconds(10)));

        foreach (var request in new Func<HttpRequestMessage>[]
        {
            () => new(HttpMethod.Get, "/api/recommendations?category=mystery"),
            () => new(HttpMethod.Get, "/api/books/3"),
            () => new(HttpMethod.Post, "/api/books/3/ratings") { Content = JsonContent.Create(new { userId = 1, stars = 4 }) },
        })
        {
            using var response = await http.SendAsync(request(), Cancellation);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task The_openapi_document_lists_every_endpoint_with_its_schemas_and_both_reference_pages_serve_it()
    {
        using var document = await GetJsonAsync("/openapi/v1.json", HttpStatusCode.OK);
        var paths = document.RootElement.GetProperty("paths");

        Assert.Equal(["/api/books/{id}", "/api/books/{id}/ratings", "/api/recommendations"], paths.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(["200", "400", "503"], Responses(paths, "/api/recommendations", "get"));
        Assert.Equal(["200", "404", "503"], Responses(paths, "/api/books/{id}", "get"));
        Assert.Equal(["200", "400", "404", "503"], Responses(paths, "/api/books/{id}/ratings", "post"));
        var request = paths.GetProperty("/api/books/{id}/ratings").GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.Equal("#/components/schemas/RatingRequest", request.GetProperty("$ref").GetString());
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        foreach (var schema in new[] { "RecommendationsResponse", "BookSummary", "BookResponse", "RatingRequest", "HttpValidationProblemDetails", "ProblemDetails" })
        {
            Assert.True(schemas.TryGetProperty(schema, out _), $"No schema {schema} in {string.Join(", ", schemas.EnumerateObject().Select(s => s.Name))}");
        }

        Assert.Equal(["stars", "userId"], schemas.GetProperty("RatingRequest").GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
        Assert.Contains("\"url\":\"openapi/v1.json\"", await _http.GetStringAsync("/scalar/v1", Cancellation), StringComparison.Ordinal);
        Assert.Contains("swagger-ui", await _http.GetStringAsync("/swagger/index.html", Cancellation), StringComparison.Ordinal);
    }

    private static IEnumerable<string> Responses(JsonElement paths, string path, string method) =>
        paths.GetProperty(path).GetProperty(method).GetProperty("responses").EnumerateObject().Select(r => r.Name).Order();

    private async Task<JsonDocument> GetJsonAsync(string path, HttpStatusCode expected)
    {
        using var response = await _http.GetAsync(path, Cancellation);
        var body = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.True(response.StatusCode == expected, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }

    private async Task<JsonDocument> PostJsonAsync(string path, object body, HttpStatusCode expected)
    {
        using var content = body is string raw ? new StringContent(raw, System.Text.Encoding.UTF8, "application/json") : (HttpContent)JsonContent.Create(body);
        using var response = await _http.PostAsync(path, content, Cancellation);
        var text = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.True(response.StatusCode == expected, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text);
    }
}
