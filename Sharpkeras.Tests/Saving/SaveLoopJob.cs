using Sharpkeras.Callbacks;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Saving;

/// <summary>Saves a model over the same file in a loop until killed (CHILD_DIR/loop.skeras; "ready" after the first save).</summary>
internal static class SaveLoopJob
{
    public static int Run()
    {
        var dir = Environment.GetEnvironmentVariable("CHILD_DIR")!;
        Keras.Config.Device = torch.CPU;
        Keras.Config.Seed(1);
        var model = new Sequential(new Dense(512, inputShape: [256]), new Dense(512), new Dense(10));
        model.Compile(optimizer: "adam", loss: "mse");
        var path = Path.Combine(dir, "loop.skeras");
        model.Save(path);
        File.WriteAllText(Path.Combine(dir, "ready"), "1");
        for (int i = 0; ; i++)
        {
            using (torch.no_grad()) model.Layers[0].Variables[0].Value.add_(1e-3);
            model.Save(path);
        }
    }
}
