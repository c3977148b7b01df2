import torch
import torch.nn as nn
import torch.optim as optim
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

# scikit-learn's bundled digits: 1,797 grey-scale 8x8 images, no download needed
digits = load_digits()
images = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0  # (N, 1, 8, 8), pixels 0..16 -> 0..1
targets = torch.tensor(digits.target)
x_train, x_val, y_train, y_val = train_test_split(images, targets, test_size=0.2, random_state=0, stratify=targets)
train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(0))
val_loader = DataLoader(TensorDataset(x_val, y_val), batch_size=256)
print(f"train {tuple(x_train.shape)}, validation {tuple(x_val.shape)}")


class Net(nn.Module):
    def __init__(self, in_channels=1, image_size=8, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 32, kernel_size=3, stride=1, padding=1)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3, stride=1, padding=1)
        # padding=1 keeps the size, each 2x2 pool halves it: image_size // 4 per side
        self.fc = nn.Linear(64 * (image_size // 4) ** 2, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.conv1(x)))  # (B, 32, 4, 4)
        x = self.maxpool(self.relu(self.conv2(x)))  # (B, 64, 2, 2)
        x = x.flatten(1)  # (B, 256): keeps the batch dimension, unlike view(-1, ...)
        return self.fc(x)


net = Net().to(device)
print("output shape:", tuple(net(x_train[:2].to(device)).shape), f"{sum(p.numel() for p in net.parameters()):,} parameters")
# %%
criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(net.parameters(), lr=0.001)


@torch.no_grad()
def predict(loader):
    net.eval()
    return torch.cat([net(inputs.to(device)).argmax(1).cpu() for inputs, _ in loader])


for epoch in range(10):
    net.train()
    running_loss = 0.0
    for i, data in enumerate(train_loader, 0):
        inputs, labels = data[0].to(device), data[1].to(device)
        optimizer.zero_grad()
        outputs = net(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()  # the missing line: accumulate the batch losses
    val_acc = (predict(val_loader) == y_val).float().mean().item()
    print("Epoch %d loss: %.3f  validation accuracy: %.3f" % (epoch + 1, running_loss / len(train_loader), val_acc))
# %%
import matplotlib.pyplot as plt

predictions = predict(val_loader)
accuracy = (predictions == y_val).float().mean().item()
wrong = (predictions != y_val).nonzero().flatten()
print(f"validation accuracy: {accuracy:.3f} ({len(y_val) - len(wrong)}/{len(y_val)})")
print("misclassified (true -> predicted):", ", ".join(f"{y_val[i].item()}->{predictions[i].item()}" for i in wrong))

# 16 validation images: up to 8 misclassified ones (red), the rest correct (green)
right = (predictions == y_val).nonzero().flatten()
show = torch.cat([wrong[:8], right[: 16 - len(wrong[:8])]])
fig, axes = plt.subplots(2, 8, figsize=(10, 3))
for ax, i in zip(axes.flat, show):
    ax.imshow(x_val[i, 0], cmap="gray_r")
    ok = predictions[i] == y_val[i]
    ax.set_title(f"pred {predictions[i].item()} / true {y_val[i].item()}", fontsize=8, color="green" if ok else "red")
    ax.axis("off")
fig.tight_layout()
plt.show()
