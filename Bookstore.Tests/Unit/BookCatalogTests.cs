using Bookstore.Protos;
using Bookstore.Recommendations.Catalog;

namespace Bookstore.Tests.Unit;

public sealed class BookCatalogTests
{
    [Theory]
    [InlineData(BookCategory.Mystery)]
    [InlineData(BookCategory.ScienceFiction)]
    [InlineData(BookCategory.SelfHelp)]
    public void Every_category_has_at_least_ten_books_with_title_and_author(BookCategory category)
    {
        var books = new InMemoryBookCatalog().FindByCategory(category);

        Assert.NotNull(books);
        Assert.True(books.Count >= 10, $"{category} has {books.Count} books.");
        Assert.All(books, book => Assert.False(string.IsNullOrWhiteSpace(book.Title) || string.IsNullOrWhiteSpace(book.Author)));
    }

    [Fact]
    public void Ids_are_unique_and_the_seed_books_keep_their_ids()
    {
        Assert.Equal(InMemoryBookCatalog.Books.Count, InMemoryBookCatalog.Books.Select(book => book.Id).Distinct().Count());
        var byId = InMemoryBookCatalog.Books.ToDictionary(book => book.Id, book => book.Title);
        Assert.Equal("The Maltese Falcon", byId[1]);
        Assert.Equal("Ender's Game", byId[5]);
        Assert.Equal("Man's Search for Meaning", byId[9]);
    }

    [Fact]
    public void An_unknown_category_has_no_books() =>
        Assert.Null(new InMemoryBookCatalog().FindByCategory((BookCategory)7));
}
