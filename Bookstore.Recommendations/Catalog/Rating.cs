namespace Bookstore.Recommendations.Catalog;

/// <summary>A reader's stars for a book. One per user and book: rating again replaces the earlier one.</summary>
public sealed record Rating(int UserId, int BookId, int Stars, DateTime RatedAt);

/// <summary>What the readers think of a book: how many rated it and their mean stars (0 when nobody did).</summary>
public sealed record BookRating(Book Book, double Average, int Count);
