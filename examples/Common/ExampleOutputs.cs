namespace Sharpkeras.Examples;

/// <summary>The end of every example: print the test scores, save the model and the training-curve PNG.</summary>
public static class ExampleOutputs
{
    /// <summary>Prints "Test loss … accuracy …", saves <c>{stem}.skeras</c> and <c>{stem}_training.png</c> into <c>o.OutDir</c>.</summary>
    public static ExampleResult Finish(Model model, History history, IReadOnlyDictionary<string, double> scores, ExampleOptions o, string stem, string title)
    {
        Console.WriteLine($"Test loss: {scores["loss"]:F4}  accuracy: {scores["accuracy"]:F4}");
        Directory.CreateDirectory(o.OutDir);
        var modelPath = Path.Combine(o.OutDir, stem + ".skeras");
        model.Save(modelPath);
        var curvePath = Path.Combine(o.OutDir, stem + "_training.png");
        TrainingCurves.Save(history, curvePath, title);
        Console.WriteLine($"Saved the model to {modelPath} and the training curves to {curvePath}.");
        return new ExampleResult(history, scores, modelPath, curvePath);
    }
}
