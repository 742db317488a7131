using Bookstore.Protos;
using Bookstore.Recommendations.Catalog;

namespace Bookstore.Recommendations.Data;

/// <summary>
/// The books the first migration loads (EF Core's HasData): changing this list needs a new migration. Ids 1 to 9 are
/// the seed tutorial's books, kept so that existing clients see the same ids.
/// </summary>
public static class CatalogSeed
{
    public static readonly IReadOnlyList<Book> Books =
    [
        new(1, "The Maltese Falcon", "Dashiell Hammett", BookCategory.Mystery),
        new(2, "Murder on the Orient Express", "Agatha Christie", BookCategory.Mystery),
        new(3, "The Hound of the Baskervilles", "Arthur Conan Doyle", BookCategory.Mystery),
        new(4, "The Hitchhiker's Guide to the Galaxy", "Douglas Adams", BookCategory.ScienceFiction),
        new(5, "Ender's Game", "Orson Scott Card", BookCategory.ScienceFiction),
        new(6, "The Dune Chronicles", "Frank Herbert", BookCategory.ScienceFiction),
        new(7, "The 7 Habits of Highly Effective People", "Stephen R. Covey", BookCategory.SelfHelp),
        new(8, "How to Win Friends and Influence People", "Dale Carnegie", BookCategory.SelfHelp),
        new(9, "Man's Search for Meaning", "Viktor E. Frankl", BookCategory.SelfHelp),
        new(10, "The Big Sleep", "Raymond Chandler", BookCategory.Mystery),
        new(11, "And Then There Were None", "Agatha Christie", BookCategory.Mystery),
        new(12, "The Name of the Rose", "Umberto Eco", BookCategory.Mystery),
        new(13, "The Moonstone", "Wilkie Collins", BookCategory.Mystery),
        new(14, "Rebecca", "Daphne du Maurier", BookCategory.Mystery),
        new(15, "The Daughter of Time", "Josephine Tey", BookCategory.Mystery),
        new(16, "Gone Girl", "Gillian Flynn", BookCategory.Mystery),
        new(17, "In the Woods", "Tana French", BookCategory.Mystery),
        new(18, "The Girl with the Dragon Tattoo", "Stieg Larsson", BookCategory.Mystery),
        new(19, "Neuromancer", "William Gibson", BookCategory.ScienceFiction),
        new(20, "The Left Hand of Darkness", "Ursula K. Le Guin", BookCategory.ScienceFiction),
        new(21, "Foundation", "Isaac Asimov", BookCategory.ScienceFiction),
        new(22, "Hyperion", "Dan Simmons", BookCategory.ScienceFiction),
        new(23, "The Three-Body Problem", "Liu Cixin", BookCategory.ScienceFiction),
        new(24, "Snow Crash", "Neal Stephenson", BookCategory.ScienceFiction),
        new(25, "Childhood's End", "Arthur C. Clarke", BookCategory.ScienceFiction),
        new(26, "Solaris", "Stanisław Lem", BookCategory.ScienceFiction),
        new(27, "The Martian", "Andy Weir", BookCategory.ScienceFiction),
        new(28, "Atomic Habits", "James Clear", BookCategory.SelfHelp),
        new(29, "Thinking, Fast and Slow", "Daniel Kahneman", BookCategory.SelfHelp),
        new(30, "Mindset", "Carol S. Dweck", BookCategory.SelfHelp),
        new(31, "The Power of Habit", "Charles Duhigg", BookCategory.SelfHelp),
        new(32, "Deep Work", "Cal Newport", BookCategory.SelfHelp),
        new(33, "Flow", "Mihaly Csikszentmihalyi", BookCategory.SelfHelp),
        new(34, "Getting Things Done", "David Allen", BookCategory.SelfHelp),
        new(35, "Quiet", "Susan Cain", BookCategory.SelfHelp),
        new(36, "Feeling Good", "David D. Burns", BookCategory.SelfHelp),
    ];
}
