namespace Sharpkeras.Examples;

/// <summary>The end of every example: print the test scores and the data they came from, save the model, the training plot and the model diagram.</summary>
public static class ExampleOutputs
{
    /// <summary>
    /// Prints "Test loss … accuracy … (DATA)", saves <c>{stem}.skeras</c>, the training plot <c>{stem}_training.png</c>
    /// (history.Plot, subtitled with the data) and the model diagram <c>{stem}_model.png</c> (Keras.Utils.PlotModel;
    /// without Graphviz only <c>{stem}_model.dot</c>) into <c>o.OutDir</c>.
    /// </summary>
    public static ExampleResult Finish(Model model, History history, IReadOnlyDictionary<string, double> scores, ExampleOptions o, string stem, string data)
    {
        Console.WriteLine($"Test loss: {scores["loss"]:F4}  accuracy: {scores["accuracy"]:F4}  (trained and tested on {data})");
        Directory.CreateDirectory(o.OutDir);
        var modelPath = Path.Combine(o.OutDir, stem + ".skeras");
        model.Save(modelPath);
        var curvePath = history.Plot(Path.Combine(o.OutDir, stem + "_training.png"), subtitle: data);
        string diagram = ModelDiagram(model, Path.Combine(o.OutDir, stem + "_model.png"));
        Console.WriteLine($"Saved the model to {modelPath}, the training plot to {curvePath} and the model diagram to {diagram}.");
        return new ExampleResult(history, scores, modelPath, curvePath, data);
    }

    /// <summary>Draws the model (shapes shown); without Graphviz writes the DOT file and says how to render it.</summary>
    public static string ModelDiagram(Model model, string path)
    {
        try
        {
            return Keras.Utils.PlotModel(model, path, showShapes: true, dpi: 96);
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine(e.Message);
            return Path.ChangeExtension(Path.GetFullPath(path), ".dot");
        }
    }
}
