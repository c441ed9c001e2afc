export const common = {
  en: {
    app: { name: 'ProofMark', tagline: 'Protect your original product photos' },
    nav: { library: 'Library', watermark: 'Watermark', hidden: 'Hidden mark', check: 'Check', find: 'Find', bundles: 'Bundles' },
    theme: { light: 'Light', dark: 'Dark' },
    language: 'Language',
    actions: { cancel: 'Cancel', close: 'Close', save: 'Save', browse: 'Browse…', retry: 'Try again' },
    progress: { working: 'Working… {{done}} of {{total}}', eta: '{{seconds}} s left', rate: '{{rate}}/s' },
    drop: { here: 'Drop photos or folders here', release: 'Release to add them' },
    errors: { generic: 'Something went wrong' },
  },
  zh: {
    app: { name: 'ProofMark 图证', tagline: '保护你的原创商品图片' },
    nav: { library: '图库', watermark: '水印', hidden: '隐形水印', check: '登记检查', find: '查找来源', bundles: '材料包' },
    theme: { light: '浅色', dark: '深色' },
    language: '语言',
    actions: { cancel: '取消', close: '关闭', save: '保存', browse: '浏览…', retry: '重试' },
    progress: { working: '处理中… {{done}} / {{total}}', eta: '剩余 {{seconds}} 秒', rate: '{{rate}} 个/秒' },
    drop: { here: '把图片或文件夹拖到这里', release: '松开即可添加' },
    errors: { generic: '出错了' },
  },
};
