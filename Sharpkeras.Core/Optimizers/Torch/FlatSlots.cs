using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sharpkeras.Optimizers.Torch;

/// <summary>
/// The slot variables (moment estimates, …) of several parameters of one device and dtype, kept in one flat buffer
/// per slot, with a flat gradient buffer and a flat scratch buffer beside them. An elementwise update rule then runs
/// as a handful of operations over <see cref="Windows"/> of the buffers instead of a handful per parameter: for
/// LeNet-5's ten weights, Adam goes from about 80 libtorch calls per step to about 30.
/// <para>
/// On the CPU a window holds fewer elements than libtorch's parallel grain (32,768) while the model is small, so
/// each operation runs on the calling thread: waking the OpenMP workers costs more than the work (about 50 µs per
/// operation with <c>OMP_WAIT_POLICY=PASSIVE</c>, against 3–6 µs for 30,000 elements on one thread). Larger models
/// and other devices use one window, where the threads pay off.
/// </para>
/// Each parameter's slot is also available as a view shaped like the parameter (<see cref="SlotView"/>), which is
/// what saving reads and writes.
/// </summary>
internal sealed class FlatSlots : IDisposable
{
    /// <summary>libtorch's serial limit for elementwise CPU operations (at::internal::GRAIN_SIZE is 32,768).</summary>
    internal const long SerialWindow = 32_767;

    /// <summary>Up to this many elements, CPU windows stay serial; above, one window uses the threads.</summary>
    internal const long SerialTotalLimit = 8 * SerialWindow;

    private readonly Parameter[] _parameters;
    private readonly long[] _offsets, _numels;
    private readonly long _total;
    private Tensor[] _slots;
    private Tensor _gradStorage, _grad, _scratch;
    private Tensor[][] _slotViews;
    private Tensor[] _gradViews;
    private (Tensor[] Slots, Tensor Grad, Tensor Scratch)[] _windows;
    private Piece[][] _pieces;

    /// <summary>A part of one parameter no longer than a window: its offset in the parameter and its views.</summary>
    internal sealed record Piece(long Offset, long Length, Tensor[] Slots, Tensor Grad, Tensor Scratch);

    /// <summary>Creates zero-filled slots for <paramref name="parameters"/> (all of one device and dtype).</summary>
    /// <param name="parameters">The parameters, in the optimizer's order.</param>
    /// <param name="slotCount">Slot buffers per parameter.</param>
    public FlatSlots(IReadOnlyList<Parameter> parameters, int slotCount)
    {
        if (parameters.Count == 0) throw new ArgumentException("No parameters.", nameof(parameters));
        _parameters = parameters.ToArray();
        _numels = _parameters.Select(p => p.numel()).ToArray();
        _offsets = new long[_numels.Length];
        for (int i = 1; i < _offsets.Length; i++) _offsets[i] = _offsets[i - 1] + _numels[i - 1];
        _total = _offsets[^1] + _numels[^1];
        Device = _parameters[0].device;
        DType = _parameters[0].dtype;
        using var _ = torch.no_grad();
        _slots = Enumerable.Range(0, slotCount).Select(_ => Zeros()).ToArray();
        _gradStorage = torch.zeros([_total + 1], dtype: DType, device: Device).DetachFromDisposeScope();
        _grad = _gradStorage.narrow(0, 1, _total).DetachFromDisposeScope();
        _scratch = Zeros();
        _slotViews = [];
        _gradViews = [];
        _windows = [];
        _pieces = [];
        MakeViews();
    }

    /// <summary>The device of the buffers.</summary>
    public Device Device { get; private set; }

    /// <summary>The dtype of the buffers (the parameters').</summary>
    public ScalarType DType { get; }

    /// <summary>The parameters, in order.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Windows over the flat buffers: each slot's window, the gradient's and the scratch buffer's.</summary>
    public IReadOnlyList<(Tensor[] Slots, Tensor Grad, Tensor Scratch)> Windows => _windows;

    /// <summary>Slot <paramref name="slot"/> of parameter <paramref name="index"/>, a view shaped like the parameter.</summary>
    /// <param name="slot">The slot.</param>
    /// <param name="index">The parameter's index.</param>
    public Tensor SlotView(int slot, int index) => _slotViews[slot][index];

    /// <summary>The gradient buffer of parameter <paramref name="index"/>, shaped like it.</summary>
    /// <param name="index">The parameter's index.</param>
    public Tensor GradView(int index) => _gradViews[index];

    /// <summary>The scratch buffer of parameter <paramref name="index"/>, shaped like it.</summary>
    /// <param name="index">The parameter's index.</param>
    public Tensor ScratchView(int index) => _scratchViews[index];

    private Tensor[] _scratchViews = [];

    /// <summary>Parameter <paramref name="index"/> cut into window-sized pieces (one piece when it fits a window).</summary>
    /// <param name="index">The parameter's index.</param>
    public IReadOnlyList<Piece> Pieces(int index) => _pieces[index];

    /// <summary>
    /// Zeroes the flat gradient buffer and makes each parameter's <c>.grad</c> its view of it, so that the next backward
    /// pass accumulates into the buffer in place (libtorch adds to an existing gradient without replacing it, which
    /// is what DistributedDataParallel's gradient-as-bucket-view relies on too). The parameters keep their gradient
    /// memory from step to step, as with torch's <c>zero_grad()</c>.
    /// </summary>
    public void AttachGradients()
    {
        foreach (var (_, grad, _) in _windows) grad.zero_();
        for (int i = 0; i < _parameters.Length; i++) _parameters[i].grad = _gradViews[i];
    }

    /// <summary>
    /// Makes the flat gradient buffer hold every parameter's gradient: true at once when each <c>.grad</c> is still
    /// the view <see cref="AttachGradients"/> set (its storage offset says so: the buffer starts one element in, and a
    /// gradient allocated anywhere else starts at offset 0); otherwise the gradients are copied in, piece by piece.
    /// Returns false when a parameter has no gradient or a sparse one: the caller then updates per parameter.
    /// </summary>
    public bool GatherGradients()
    {
        bool attached = true;
        for (int i = 0; i < _parameters.Length && attached; i++)
        {
            using var g = _parameters[i].grad;
            attached = g is not null && g.storage_offset() == 1 + _offsets[i] && g.dtype == DType;
        }
        if (attached) return true;
        for (int i = 0; i < _parameters.Length; i++)
        {
            using var g = _parameters[i].grad;
            if (g is null || g.is_sparse) return false;
            var pieces = _pieces[i];
            if (pieces.Length == 1) { pieces[0].Grad.copy_(g); continue; }
            using var flat = g.reshape(-1);
            foreach (var piece in pieces)
            {
                using var part = flat.narrow(0, piece.Offset, piece.Length);
                piece.Grad.copy_(part);
            }
        }
        return true;
    }

    /// <summary>Moves the buffers (and their values) to <paramref name="device"/>.</summary>
    /// <param name="device">The parameters' new device.</param>
    public void MoveTo(Device device)
    {
        if (Engine.DeviceUtils.Same(device, Device)) return;
        using var _ = torch.no_grad();
        DisposeViews();
        for (int i = 0; i < _slots.Length; i++) _slots[i] = _slots[i].to(device, disposeAfter: true).DetachFromDisposeScope();
        _grad.Dispose();
        _gradStorage = _gradStorage.to(device, disposeAfter: true).DetachFromDisposeScope();
        _grad = _gradStorage.narrow(0, 1, _total).DetachFromDisposeScope();
        _scratch = _scratch.to(device, disposeAfter: true).DetachFromDisposeScope();
        Device = device;
        MakeViews();
    }

    private Tensor Zeros() => torch.zeros([_total], dtype: DType, device: Device).DetachFromDisposeScope();

    private void MakeViews()
    {
        Tensor[] PerParameter(Tensor flat) =>
            _parameters.Select((p, i) => flat.narrow(0, _offsets[i], _numels[i]).view(p.shape).DetachFromDisposeScope()).ToArray();
        _slotViews = _slots.Select(PerParameter).ToArray();
        _gradViews = PerParameter(_grad);
        _scratchViews = PerParameter(_scratch);

        long window = Device.type == DeviceType.CPU && _total <= SerialTotalLimit ? SerialWindow : _total;
        var windows = new List<(Tensor[], Tensor, Tensor)>();
        for (long start = 0; start < _total; start += window)
        {
            long n = Math.Min(window, _total - start);
            Tensor Cut(Tensor flat) => flat.narrow(0, start, n).DetachFromDisposeScope();
            windows.Add((_slots.Select(Cut).ToArray(), Cut(_grad), Cut(_scratch)));
        }
        _windows = windows.ToArray();

        _pieces = new Piece[_parameters.Length][];
        for (int i = 0; i < _parameters.Length; i++)
        {
            if (_numels[i] <= window)
            {
                _pieces[i] = [new Piece(0, _numels[i], _slotViews.Select(v => v[i]).ToArray(), _gradViews[i], _scratchViews[i])];
                continue;
            }
            var list = new List<Piece>();
            for (long off = 0; off < _numels[i]; off += window)
            {
                long n = Math.Min(window, _numels[i] - off);
                long at = _offsets[i] + off;
                Tensor Cut(Tensor flat) => flat.narrow(0, at, n).DetachFromDisposeScope();
                list.Add(new Piece(off, n, _slots.Select(Cut).ToArray(), Cut(_grad), Cut(_scratch)));
            }
            _pieces[i] = list.ToArray();
        }
    }

    private void DisposeViews()
    {
        foreach (var views in _slotViews) foreach (var v in views) v.Dispose();
        foreach (var v in _gradViews) v.Dispose();
        foreach (var v in _scratchViews) v.Dispose();
        foreach (var (slots, grad, scratch) in _windows)
        {
            foreach (var s in slots) s.Dispose();
            grad.Dispose();
            scratch.Dispose();
        }
        foreach (var pieces in _pieces)
        {
            if (pieces.Length == 1) continue; // the per-parameter views, disposed above
            foreach (var p in pieces)
            {
                foreach (var s in p.Slots) s.Dispose();
                p.Grad.Dispose();
                p.Scratch.Dispose();
            }
        }
    }

    /// <summary>Frees the buffers and their views.</summary>
    public void Dispose()
    {
        DisposeViews();
        foreach (var s in _slots) s.Dispose();
        _grad.Dispose();
        _gradStorage.Dispose();
        _scratch.Dispose();
        _slotViews = [];
        _gradViews = [];
        _scratchViews = [];
        _windows = [];
        _pieces = [];
    }
}
