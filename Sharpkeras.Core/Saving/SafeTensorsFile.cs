using static TorchSharp.torch;

namespace Sharpkeras.Saving;

/// <summary>The validated content of a safetensors file: CPU tensors in data order, and the metadata.</summary>
internal sealed class SafeTensorsFile : IDisposable
{
    private readonly Dictionary<string, Tensor> _byName;

    public SafeTensorsFile(List<(string Name, Tensor Value)> tensors, Dictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
        _byName = tensors.ToDictionary(t => t.Name, t => t.Value, StringComparer.Ordinal);
    }

    /// <summary>The tensors, in the order of their data in the file.</summary>
    public IReadOnlyList<(string Name, Tensor Value)> Tensors { get; }

    /// <summary>The <c>__metadata__</c> strings.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public bool TryGet(string name, out Tensor value) => _byName.TryGetValue(name, out value!);

    public void Dispose()
    {
        foreach (var (_, t) in Tensors) t.Dispose();
    }
}
