using Bookstore.Marketplace.Recommending;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Bookstore.Marketplace.Pages;

public sealed class CategoryModel(BookRecommender recommender) : PageModel
{
    public CategoryPage? Category { get; private set; }

    public RecommendationResult Result { get; private set; } = RecommendationResult.Failed;

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken cancellationToken)
    {
        Category = Categories.FindBySlug(slug);
        if (Category is null)
        {
            return NotFound();
        }

        Result = await recommender.RecommendAsync(Category.Category, cancellationToken);
        return Page();
    }
}
