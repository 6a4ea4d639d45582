using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Callbacks;

internal static class CallbackTestUtil
{
    /// <summary>A compiled one-Dense regression model (weights: kernel (2, 1), bias (1)).</summary>
    public static Sequential SmallModel(double learningRate = 0.1, IEnumerable<object>? metrics = null)
    {
        Keras.ClearSession();
        Keras.Config.Seed(11);
        var model = new Sequential(new Dense(1, inputShape: [2]));
        model.Compile(optimizer: new Sharpkeras.Optimizers.SGD(learningRate: learningRate), loss: "mse", metrics: metrics);
        return model;
    }

    /// <summary>Sets every weight of the model to <paramref name="value"/>.</summary>
    public static void Fill(Model model, float value) =>
        model.SetWeights(model.GetWeights().Select(w => torch.full_like(w, value)).ToList());

    /// <summary>The distinct values of all weights.</summary>
    public static float[] WeightValues(Model model) =>
        model.GetWeights().SelectMany(w => w.reshape(-1).data<float>().ToArray()).Distinct().ToArray();

    public static Dictionary<string, double> Logs(params (string key, double value)[] entries) =>
        entries.ToDictionary(e => e.key, e => e.value);

    /// <summary>Runs <paramref name="action"/> with standard output and error captured.</summary>
    public static (string stdout, string stderr) Capture(Action action)
    {
        var oldOut = Console.Out;
        var oldErr = Console.Error;
        var o = new StringWriter();
        var e = new StringWriter();
        Console.SetOut(o);
        Console.SetError(e);
        try { action(); }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
        return (o.ToString(), e.ToString());
    }

    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "sharpkeras-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }
}
