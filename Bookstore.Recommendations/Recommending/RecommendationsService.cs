using Bookstore.Protos;
using Bookstore.Recommendations.Catalog;
using Grpc.Core;

namespace Bookstore.Recommendations.Recommending;

/// <summary>Recommends up to <c>max_results</c> distinct books of a category, picked at random as the seed does.</summary>
public sealed class RecommendationsService(IBookCatalog catalog) : Protos.Recommendations.RecommendationsBase
{
    public override Task<RecommendationResponse> Recommend(RecommendationRequest request, ServerCallContext context)
    {
        var maxResults = RecommendationRequestValidator.Validate(request);
        var books = catalog.FindByCategory(request.Category) ?? throw new CategoryNotFoundException();

        var response = new RecommendationResponse();
        foreach (var book in PickAtRandom(books, maxResults))
        {
            response.Recommendations.Add(new BookRecommendation { Id = book.Id, Title = book.Title });
        }

        return Task.FromResult(response);
    }

    private static IEnumerable<Book> PickAtRandom(IReadOnlyList<Book> books, int count)
    {
        var picked = books.ToArray();
        Random.Shared.Shuffle(picked);
        return picked.Take(count);
    }
}
