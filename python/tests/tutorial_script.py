# The tutorial's Python, transcribed from reference/oneflow_onnx_tutorial.zh.md: export
# (第一段) and inference (第二段) in one file. Only the import lines differ from the original:
#   import oneflow as flow                    -> import flowonnx as flow
#   from oneflow import nn                    -> from flowonnx import nn
#   from flowvision.models import resnet34    -> from flowonnx.vision.models import resnet34
#   from oneflow_onnx.oneflow2onnx.util import convert_to_onnx_and_check
#                                             -> from flowonnx.onnx import convert_to_onnx_and_check
#   from onnxruntime import InferenceSession  -> from flowonnx import InferenceSession
# It expects checkpoints/resnet34, cat.jpg and ImageNet-Class-Names.txt in the current folder.
import flowonnx as flow
from flowonnx import nn
from flowonnx.vision.models import resnet34
from flowonnx.onnx import convert_to_onnx_and_check


class ResNet34Graph(nn.Graph):
    def __init__(self, eager_model):
        super().__init__()
        self.model = eager_model

    def build(self, x):
        return self.model(x)


# 模型参数存储目录
MODEL_PARAMS = 'checkpoints/resnet34'

params = flow.load(MODEL_PARAMS)
model = resnet34()
model.load_state_dict(params)

# 将模型设置为 eval 模式
model.eval()

resnet34_graph = ResNet34Graph(model)
# 构建出静态图模型
resnet34_graph._compile(flow.randn(1, 3, 224, 224))

# 导出为 ONNX 模型并进行检查
convert_to_onnx_and_check(resnet34_graph, 
                          flow_weight_dir=MODEL_PARAMS, 
                          onnx_model_path="./", 
                          print_outlier=True,
                          dynamic_batch_size=True)

import numpy as np
import cv2
from flowonnx import InferenceSession

def preprocess_image(img, input_hw = (224, 224)):
    h, w, _ = img.shape
    
    # 使用图像的较长边确定缩放系数
    is_wider = True if h <= w else False
    scale = input_hw[1] / w if is_wider else input_hw[0] / h

    # 对图像进行等比例缩放
    processed_img = cv2.resize(img, (0, 0), fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
    # 归一化
    processed_img = np.array(processed_img, dtype=np.float32) / 255

    # 将图像填充到 ONNX 模型预设尺寸
    temp_img = np.zeros((input_hw[0], input_hw[1], 3), dtype=np.float32)
    temp_img[:processed_img.shape[0], :processed_img.shape[1], :] = processed_img
    processed_img = temp_img
    
    # 调整轴的顺序并在最前面添加 batch 轴  
    processed_img = np.expand_dims(processed_img.transpose(2, 0, 1), axis=0)

    return processed_img

# 从文件中读取 ImageNet 数据集的类别名称
with open('ImageNet-Class-Names.txt') as f:
    CLASS_NAMES = f.readlines()

# 读取图像文件并使用 `preprocess_image` 函数进行预处理
img = cv2.imread('cat.jpg', cv2.IMREAD_COLOR)
img = preprocess_image(img)

# 创建一个 InferenceSession 对象
ort_sess = InferenceSession('model.onnx', providers=['TensorrtExecutionProvider',
                                                     'CUDAExecutionProvider',
                                                     'CPUExecutionProvider'])
# 调用 InferenceSession 对象的 `run` 方法进行推理
results = ort_sess.run(None, {"_ResNet34Graph_0-input_0/out": img})

# 输出推理结果
print(CLASS_NAMES[np.argmax(results[0])])
