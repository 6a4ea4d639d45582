using NUnit.Framework;

namespace Sharpkeras.Tests;

/// <summary>
/// Base of the test classes that write files: before each test a fresh name scope, the class's seed (when it sets one)
/// and an empty temporary folder <see cref="Dir"/>; after it the folder is removed. A derived class's own [SetUp] runs
/// after this one.
/// </summary>
public abstract class TempFolderTest
{
    /// <summary>The folder the test writes into.</summary>
    protected string Dir { get; private set; } = "";

    /// <summary>The seed each test starts from, or null to leave the random state alone.</summary>
    protected virtual int? Seed => null;

    [SetUp]
    public void CreateTempFolder()
    {
        Keras.ClearSession();
        if (Seed is int seed) Keras.Config.Seed(seed);
        Dir = Path.Combine(Path.GetTempPath(), "sharpkeras-tests", GetType().Name, Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Dir);
    }

    [TearDown]
    public void RemoveTempFolder()
    {
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
