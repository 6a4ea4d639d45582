namespace Sharpkeras.Saving.KerasFormat;

/// <summary>
/// The groups of Keras's <c>model.weights.h5</c> (Keras's <c>saving_lib._save_state</c>): every saveable object
/// (the model, each layer, nested layers, the optimizer) gets a group <c>&lt;path&gt;/vars</c> carrying its name as
/// the attribute "name", even when it holds no variable; a layer's own variables, trainable ones first, are its
/// datasets "0", "1", …. The model's group is the root <c>vars</c>. A Sequential or Functional model lists its
/// layers under <c>layers/&lt;name&gt;</c>, where the name is the snake_case class name made unique in that list,
/// in Keras's layer order (<see cref="KerasLayerOrder"/>; a Functional model's input layers included, a nested
/// Functional model named "functional"): ("dense", "dense_1", …, never the layer's own name, so the file does not
/// depend on auto-generated names). Nested layers follow Keras's attribute names: a recurrent layer keeps its
/// weights in its <c>cell</c> (a StackedRNNCells its cells under <c>cell/cells</c>), Bidirectional in
/// <c>forward_layer</c> and <c>backward_layer</c>, TimeDistributed in <c>layer</c>, MultiHeadAttention in
/// <c>_query_dense</c>, <c>_key_dense</c>, <c>_value_dense</c> and <c>_output_dense</c> (with the empty groups of
/// its <c>_softmax</c> and <c>_dropout_layer</c>). Other layers with inner layers list them like a model does, by
/// unique snake_case class name. A layer shared by several models or layers is saved once, where Keras first meets it.
/// </summary>
internal static class KerasWeightLayout
{
    /// <summary>
    /// One group of the weights file: its path (without "/vars"), the name written as its "name" attribute, the layer
    /// it describes (null for a group Keras writes for an internal object Sharpkeras does not have) and its
    /// variables in Keras's order (empty for most layers without weights).
    /// </summary>
    public readonly record struct Entry(string Path, string Name, Layer? Layer, IReadOnlyList<KerasVariable> Variables);

    private static bool Is(Layer layer, string fullName) => KerasCallArguments.Is(layer, fullName);

    /// <summary>Every group of <paramref name="model"/>'s weights file, in Keras's visiting order (the model's first).</summary>
    public static List<Entry> Entries(Model model)
    {
        var list = new List<Entry>();
        var seen = new HashSet<Layer>(ReferenceEqualityComparer.Instance);
        Visit(model, "", list, seen);
        return list;
    }

    private static string Join(string a, string b) => a.Length == 0 ? b : a + "/" + b;

    private static List<KerasVariable> Own(Layer layer) =>
        layer.OwnVariables.Where(v => v.DeclaredTrainable).Concat(layer.OwnVariables.Where(v => !v.DeclaredTrainable)).ToList();

    private static string Child(Layer sub, Dictionary<string, int> used) =>
        KerasNames.Unique(KerasNames.SnakeCase(KerasNames.ClassName(sub.GetType())), used);

    private static void Visit(Layer layer, string path, List<Entry> list, HashSet<Layer> seen)
    {
        if (!seen.Add(layer)) return;
        var subs = layer.SubLayers;
        if (Is(layer, "Sharpkeras.Layers.RecurrentLayer") && subs.Count >= 1)
        {
            // RNN(cell): the layer's own group is empty; the cell holds the weights (a built-in LSTM/GRU/SimpleRNN
            // creates them on the layer itself, so they are written in the cell's group, as Keras has them).
            list.Add(new Entry(path, layer.Name, layer, []));
            var cell = subs[0];
            seen.Add(cell);
            string cellPath = Join(path, "cell");
            list.Add(new Entry(cellPath, cell.Name, cell, [.. Own(layer), .. Own(cell)]));
            var cellUsed = new Dictionary<string, int>(StringComparer.Ordinal);
            string cellsPath = Is(cell, "Sharpkeras.Layers.StackedRNNCells") ? Join(cellPath, "cells") : cellPath;
            foreach (var inner in cell.SubLayers) Visit(inner, Join(cellsPath, Child(inner, cellUsed)), list, seen);
            foreach (var extra in subs.Skip(1)) Visit(extra, Join(path, Child(extra, new())), list, seen);
            return;
        }
        list.Add(new Entry(path, layer.Name, layer, Own(layer)));
        if (layer is Model m && (m.IsFunctional || m is Sequential))
        {
            var used = new Dictionary<string, int>(StringComparer.Ordinal);
            var layers = m.IsFunctional && m.GraphNodes != null ? KerasLayerOrder.Of(m) : m.Layers.ToList();
            foreach (var sub in layers) Visit(sub, Join(path, "layers/" + Child(sub, used)), list, seen);
            return;
        }
        string[]? names = null;
        if (Is(layer, "Sharpkeras.Layers.Bidirectional") && subs.Count == 2) names = ["forward_layer", "backward_layer"];
        else if (Is(layer, "Sharpkeras.Layers.TimeDistributed") && subs.Count == 1) names = ["layer"];
        else if (Is(layer, "Sharpkeras.Layers.MultiHeadAttention") && subs.Count == 4) names = ["_query_dense", "_key_dense", "_value_dense", "_output_dense"];
        if (names != null)
        {
            for (int i = 0; i < subs.Count; i++) Visit(subs[i], Join(path, names[i]), list, seen);
            if (names.Length == 4)
            {
                // Keras's MultiHeadAttention also owns a Softmax and a Dropout layer, without weights.
                list.Add(new Entry(Join(path, "_softmax"), "softmax", null, []));
                list.Add(new Entry(Join(path, "_dropout_layer"), "dropout", null, []));
            }
            return;
        }
        var usedNames = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var sub in subs) Visit(sub, Join(path, Child(sub, usedNames)), list, seen);
    }
}
