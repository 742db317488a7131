using Bookstore.Protos;
using Bookstore.Recommendations.Data;

namespace Bookstore.Tests.Unit;

public sealed class CatalogSeedTests
{
    [Theory]
    [InlineData(BookCategory.Mystery)]
    [InlineData(BookCategory.ScienceFiction)]
    [InlineData(BookCategory.SelfHelp)]
    public void Every_category_has_at_least_ten_books_with_title_and_author(BookCategory category)
    {
        var books = CatalogSeed.Books.Where(book => book.Category == category).ToList();

        Assert.True(books.Count >= 10, $"{category} has {books.Count} books.");
        Assert.All(books, book => Assert.False(string.IsNullOrWhiteSpace(book.Title) || string.IsNullOrWhiteSpace(book.Author)));
        Assert.All(books, book => Assert.True(book.Title.Length <= CatalogDbContext.MaxTextLength && book.Author.Length <= CatalogDbContext.MaxTextLength));
    }

    [Fact]
    public void Ids_are_unique_and_the_seed_books_keep_their_ids()
    {
        Assert.Equal(CatalogSeed.Books.Count, CatalogSeed.Books.Select(book => book.Id).Distinct().Count());
        var byId = CatalogSeed.Books.ToDictionary(book => book.Id, book => book.Title);
        Assert.Equal("The Maltese Falcon", byId[1]);
        Assert.Equal("Ender's Game", byId[5]);
        Assert.Equal("Man's Search for Meaning", byId[9]);
    }
}
