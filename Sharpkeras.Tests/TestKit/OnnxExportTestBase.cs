using NUnit.Framework;
using static Sharpkeras.Tests.Onnx.OnnxTestUtil;

namespace Sharpkeras.Tests.Onnx;

/// <summary>
/// What every ONNX export test class shares: a fresh name scope, a fixed seed per class and a temporary folder
/// (<see cref="Dir"/>) for the exported files, removed after each test.
/// </summary>
public abstract class OnnxExportTestBase
{
    /// <summary>The folder the test writes its .onnx files into.</summary>
    protected string Dir { get; private set; } = "";

    /// <summary>The seed each test starts from (one per class, so the classes draw different weights).</summary>
    protected abstract int Seed { get; }

    [SetUp]
    public void SetUpExportFolder()
    {
        Keras.ClearSession();
        Keras.Config.Seed(Seed);
        Dir = TempDir();
    }

    [TearDown]
    public void RemoveExportFolder()
    {
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
