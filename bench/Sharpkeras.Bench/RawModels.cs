using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Sharpkeras.Bench;

/// <summary>The three architectures written as plain TorchSharp modules, the way TorchSharp's own examples write them (NCHW).</summary>
internal static class RawModels
{
    public static Module<Tensor, Tensor> LeNet() => Sequential(
        ("c1", Conv2d(1, 6, 5, padding: 2)), ("t1", Tanh()), ("p1", MaxPool2d(2)),
        ("c2", Conv2d(6, 16, 5)), ("t2", Tanh()), ("p2", MaxPool2d(2)),
        ("f", Flatten()),
        ("d1", Linear(16 * 5 * 5, 120)), ("t3", Tanh()),
        ("d2", Linear(120, 84)), ("t4", Tanh()),
        ("d3", Linear(84, 10)));

    public static Module<Tensor, Tensor> CifarCnn() => Sequential(
        ("c1", Conv2d(3, 32, 3)), ("b1", BatchNorm2d(32, eps: 1e-3, momentum: 0.01)), ("r1", ReLU()), ("p1", MaxPool2d(2)),
        ("c2", Conv2d(32, 64, 3)), ("b2", BatchNorm2d(64, eps: 1e-3, momentum: 0.01)), ("r2", ReLU()), ("p2", MaxPool2d(2)),
        ("c3", Conv2d(64, 128, 3)), ("b3", BatchNorm2d(128, eps: 1e-3, momentum: 0.01)), ("r3", ReLU()),
        ("g", AdaptiveAvgPool2d(1)), ("f", Flatten()),
        ("d", Linear(128, 10)));

    /// <summary>Embedding → LSTM(64) → Dense(1, sigmoid); masked: zero tokens are padding, skipped with pack_padded_sequence.</summary>
    public sealed class ImdbLstm : Module<Tensor, Tensor>
    {
        private readonly Embedding _emb;
        private readonly LSTM _lstm;
        private readonly Linear _out;
        private readonly bool _masked;

        public ImdbLstm(int vocab, bool masked = false) : base("imdb_lstm")
        {
            _emb = Embedding(vocab, 64);
            _lstm = LSTM(64, 64, batchFirst: true);
            _out = Linear(64, 1);
            _masked = masked;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var e = _emb.forward(x);
            if (!_masked)
            {
                var (_, h, _) = _lstm.forward(e);
                return _out.forward(h[-1]).sigmoid().squeeze(-1);
            }
            using var lengths = x.ne(0).sum([1L]).cpu();
            using var packed = torch.nn.utils.rnn.pack_padded_sequence(e, lengths, batch_first: true, enforce_sorted: false);
            var (outPacked, hp, _) = _lstm.call(packed, null);
            outPacked.Dispose();
            return _out.forward(hp[-1]).sigmoid().squeeze(-1);
        }
    }
}
