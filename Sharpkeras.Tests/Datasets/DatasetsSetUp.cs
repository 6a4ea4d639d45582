using NUnit.Framework;
using Sharpkeras.Data;
using Sharpkeras.Tests.Data.Fixtures;

namespace Sharpkeras.Tests.Datasets;

/// <summary>
/// The loader tests never touch the internet: the cache root points at an empty temporary folder and
/// <see cref="Utils.Offline"/> is on (downloads fail at once, loopback servers excepted).
/// </summary>
[SetUpFixture]
public class DatasetsSetUp
{
    private string? _oldHome;
    private bool _oldOffline;
    public static string Home { get; private set; } = "";

    [OneTimeSetUp]
    public void SetUp()
    {
        _oldHome = Environment.GetEnvironmentVariable("SHARPKERAS_HOME");
        _oldOffline = Utils.Offline;
        Home = FileFixtures.TempDir("home");
        Environment.SetEnvironmentVariable("SHARPKERAS_HOME", Home);
        Utils.Offline = true;
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        Environment.SetEnvironmentVariable("SHARPKERAS_HOME", _oldHome);
        Utils.Offline = _oldOffline;
        if (Directory.Exists(Home)) Directory.Delete(Home, true);
    }
}
