namespace Sharpkeras.Saving.KerasFormat;

/// <summary>
/// Where each layer's weights live in Keras's <c>model.weights.h5</c> (Keras's <c>saving_lib._save_state</c>):
/// a layer's own variables, trainable ones first, are the datasets "0", "1", … of the group
/// <c>&lt;path&gt;/vars</c>; a Sequential or Functional model lists its layers under <c>layers/&lt;name&gt;</c>, where
/// the name is the snake_case class name made unique in that list, in Keras's layer order (<see cref="KerasLayerOrder"/>):
/// ("dense", "dense_1", …, never the layer's own
/// name, so the file does not depend on auto-generated names). Nested layers follow Keras's attribute names:
/// a recurrent layer keeps its weights in its <c>cell</c>, Bidirectional in <c>forward_layer</c> and
/// <c>backward_layer</c>, TimeDistributed in <c>layer</c>, MultiHeadAttention in <c>_query_dense</c>,
/// <c>_key_dense</c>, <c>_value_dense</c> and <c>_output_dense</c>. Other layers with inner layers list them like a
/// model does, by unique snake_case class name.
/// </summary>
internal static class KerasWeightLayout
{
    /// <summary>One group of the weights file: its path (without "/vars"), the owning layer and its variables in Keras's order.</summary>
    public readonly record struct Entry(string Path, Layer Layer, IReadOnlyList<KerasVariable> Variables);

    private static bool Is(Type? t, string fullName)
    {
        for (; t != null; t = t.BaseType) if (t.FullName == fullName) return true;
        return false;
    }

    /// <summary>Every group of <paramref name="model"/>'s weights file that holds variables, in Keras's visiting order.</summary>
    public static List<Entry> Entries(Model model)
    {
        var list = new List<Entry>();
        var seen = new HashSet<Layer>(ReferenceEqualityComparer.Instance);
        Visit(model, "", list, seen);
        return list;
    }

    private static string Join(string a, string b) => a.Length == 0 ? b : a + "/" + b;

    private static void Visit(Layer layer, string path, List<Entry> list, HashSet<Layer> seen)
    {
        if (!seen.Add(layer)) return; // a shared layer is saved once, where Keras first meets it
        var own = layer.OwnVariables.Where(v => v.DeclaredTrainable).Concat(layer.OwnVariables.Where(v => !v.DeclaredTrainable)).ToList();
        var t = layer.GetType();
        if (own.Count > 0)
        {
            bool inCell = Is(t, "Sharpkeras.Layers.RecurrentLayer");
            list.Add(new Entry(inCell ? Join(path, "cell") : path, layer, own));
        }
        if (layer is Model m && (m.IsFunctional || m is Sequential))
        {
            var used = new Dictionary<string, int>(StringComparer.Ordinal);
            var layers = m.IsFunctional && m.GraphNodes != null ? KerasLayerOrder.Of(m) : m.Layers.ToList();
            foreach (var sub in layers)
                Visit(sub, Join(path, "layers/" + KerasNames.Unique(KerasNames.SnakeCase(KerasNames.ClassName(sub.GetType())), used)), list, seen);
            return;
        }
        var subs = layer.SubLayers;
        string[]? names = null;
        if (Is(t, "Sharpkeras.Layers.Bidirectional") && subs.Count == 2) names = ["forward_layer", "backward_layer"];
        else if (Is(t, "Sharpkeras.Layers.TimeDistributed") && subs.Count == 1) names = ["layer"];
        else if (Is(t, "Sharpkeras.Layers.MultiHeadAttention") && subs.Count == 4) names = ["_query_dense", "_key_dense", "_value_dense", "_output_dense"];
        if (names != null)
        {
            for (int i = 0; i < subs.Count; i++) Visit(subs[i], Join(path, names[i]), list, seen);
            return;
        }
        var usedNames = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var sub in subs)
            Visit(sub, Join(path, KerasNames.Unique(KerasNames.SnakeCase(KerasNames.ClassName(sub.GetType())), usedNames)), list, seen);
    }
}
