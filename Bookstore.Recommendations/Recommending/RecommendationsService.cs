using Bookstore.Protos;
using Bookstore.Recommendations.Catalog;
using Grpc.Core;

namespace Bookstore.Recommendations.Recommending;

/// <summary>The Recommendations contract: recommend books of a category, show a book, rate a book.</summary>
public sealed class RecommendationsService(BookCatalog catalog) : Protos.Recommendations.RecommendationsBase
{
    public override async Task<RecommendationResponse> Recommend(RecommendationRequest request, ServerCallContext context)
    {
        var maxResults = RequestValidator.Validate(request);
        var books = await catalog.FindByCategoryAsync(request.Category, context.CancellationToken) ?? throw new CategoryNotFoundException();
        var rated = await catalog.RatedByAsync(request.UserId, context.CancellationToken);

        var response = new RecommendationResponse();
        var candidates = rated.Count == 0 ? books : books.Where(book => !rated.Contains(book.Book.Id));
        foreach (var book in RecommendationPicker.Pick(candidates, maxResults, Random.Shared))
        {
            response.Recommendations.Add(new BookRecommendation { Id = book.Book.Id, Title = book.Book.Title });
        }

        return response;
    }

    public override async Task<GetBookResponse> GetBook(GetBookRequest request, ServerCallContext context)
    {
        RequestValidator.Validate(request);
        var found = await catalog.GetAsync(request.BookId, request.HasUserId ? request.UserId : null, context.CancellationToken)
            ?? throw new BookNotFoundException(request.BookId);
        return new GetBookResponse { Book = ToDetails(found.Book), UserStars = found.UserStars };
    }

    public override async Task<RateBookResponse> RateBook(RateBookRequest request, ServerCallContext context)
    {
        RequestValidator.Validate(request);
        var rating = await catalog.RateAsync(request.UserId, request.BookId, request.Stars, context.CancellationToken)
            ?? throw new BookNotFoundException(request.BookId);
        return new RateBookResponse { Book = ToDetails(rating) };
    }

    private static BookDetails ToDetails(BookRating rating) => new()
    {
        Id = rating.Book.Id,
        Title = rating.Book.Title,
        Author = rating.Book.Author,
        Category = rating.Book.Category,
        AverageRating = rating.Average,
        RatingCount = rating.Count,
    };
}
