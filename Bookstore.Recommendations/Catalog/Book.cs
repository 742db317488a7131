using Bookstore.Protos;

namespace Bookstore.Recommendations.Catalog;

/// <summary>A book of the catalog. Ids are stable: clients may keep them.</summary>
public sealed record Book(int Id, string Title, string Author, BookCategory Category);
