using Bookstore.Recommendations.Catalog;

namespace Bookstore.Recommendations.Recommending;

/// <summary>
/// Picks books at random, well-rated ones more often, so that every visit still gets its own mix. Each book's weight
/// is the square of its smoothed rating: the mean of its stars with <see cref="PriorRatings"/> imaginary ratings of
/// <see cref="PriorStars"/> added, so that one 5-star rating does not outweigh twenty 4-star ones and an unrated book
/// counts as average. A 5-star book is picked first about 2.8 times as often as an unrated one, a 1-star book about
/// a third as often. Weighted sampling without replacement (Efraimidis and Spirakis: the largest u^(1/w) win).
/// </summary>
public static class RecommendationPicker
{
    public const double PriorStars = 3;
    public const int PriorRatings = 2;

    public static IEnumerable<BookRating> Pick(IEnumerable<BookRating> candidates, int count, Random random) =>
        candidates
            .Select(book => (Book: book, Key: Math.Pow(random.NextDouble(), 1 / Weight(book))))
            .OrderByDescending(pick => pick.Key)
            .Take(count)
            .Select(pick => pick.Book);

    public static double Weight(BookRating book)
    {
        var smoothed = (PriorStars * PriorRatings + book.Average * book.Count) / (PriorRatings + book.Count);
        return smoothed * smoothed;
    }
}
