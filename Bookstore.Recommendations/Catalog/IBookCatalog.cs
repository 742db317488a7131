using Bookstore.Protos;

namespace Bookstore.Recommendations.Catalog;

public interface IBookCatalog
{
    /// <summary>The books of a category, or <c>null</c> when the catalog does not know the category.</summary>
    IReadOnlyList<Book>? FindByCategory(BookCategory category);
}
