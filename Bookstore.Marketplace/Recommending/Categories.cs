using Bookstore.Protos;

namespace Bookstore.Marketplace.Recommending;

public sealed record CategoryPage(string Slug, string Name, BookCategory Category, string Heading);

/// <summary>The categories the Marketplace has a page for, with their URL slug (<c>/category/{slug}</c>).</summary>
public static class Categories
{
    public static readonly CategoryPage Mystery = new("mystery", "Mystery", BookCategory.Mystery, "Mystery books you may like");

    public static readonly IReadOnlyList<CategoryPage> All =
    [
        Mystery,
        new("science-fiction", "Science fiction", BookCategory.ScienceFiction, "Science fiction books you may like"),
        new("self-help", "Self-help", BookCategory.SelfHelp, "Self-help books you may like"),
    ];

    public static CategoryPage? Find(BookCategory category) => All.FirstOrDefault(page => page.Category == category);

    public static CategoryPage? FindBySlug(string slug) =>
        All.FirstOrDefault(page => string.Equals(page.Slug, slug, StringComparison.OrdinalIgnoreCase));
}
